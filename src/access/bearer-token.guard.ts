import {
  CanActivate,
  ExecutionContext,
  Inject,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { ConfigType } from '@nestjs/config';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { authConfig } from '../config/configuration.js';
import { REQUIRED_TOKEN, TokenKind } from './require-token.decorator.js';
import { bearerTokenOf, TokenMatcher } from './token-matcher.js';

/** Checks the bearer token that a route's `@RequireToken` asks for, in constant time. */
@Injectable()
export class BearerTokenGuard implements CanActivate {
  private readonly matchers: Record<TokenKind, TokenMatcher>;

  constructor(
    private readonly reflector: Reflector,
    @Inject(authConfig.KEY) private readonly auth: ConfigType<typeof authConfig>,
  ) {
    this.matchers = {
      api: new TokenMatcher(auth.apiToken),
      admin: new TokenMatcher(auth.adminToken),
    };
  }

  canActivate(context: ExecutionContext): boolean {
    const kind = this.reflector.getAllAndOverride<TokenKind | undefined>(REQUIRED_TOKEN, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!kind || this.auth.disabled) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (this.matchers[kind].matches(bearerTokenOf(request.headers.authorization))) return true;
    context.switchToHttp().getResponse<FastifyReply>().header('WWW-Authenticate', 'Bearer');
    throw new UnauthorizedException('Missing or wrong bearer token');
  }
}
