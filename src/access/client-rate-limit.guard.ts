import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import { REQUIRED_TOKEN, TokenKind } from './require-token.decorator.js';
import { RouteMemo } from './route-memo.js';

/**
 * Throttler's guard on the client API alone: the routes that take the API token
 * (`/subscriptions/**`, `/users/**`). Health, docs, metrics and admin routes are never limited.
 */
@Injectable()
export class ClientRateLimitGuard extends ThrottlerGuard {
  private readonly skips = new RouteMemo<boolean>();

  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    return this.skips.of(context, () => {
      const kind = this.reflector.getAllAndOverride<TokenKind | undefined>(REQUIRED_TOKEN, [
        context.getHandler(),
        context.getClass(),
      ]);
      return kind !== 'api';
    });
  }
}
