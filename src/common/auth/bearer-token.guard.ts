import { createHash, timingSafeEqual } from 'node:crypto';
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
import { authConfig } from '../../config/configuration.js';
import { REQUIRED_TOKEN, TokenKind } from './require-token.decorator.js';

/** Checks the bearer token that a route's `@RequireToken` asks for, in constant time. */
@Injectable()
export class BearerTokenGuard implements CanActivate {
  private readonly digests: Record<TokenKind, Buffer | undefined>;

  constructor(
    private readonly reflector: Reflector,
    @Inject(authConfig.KEY) private readonly auth: ConfigType<typeof authConfig>,
  ) {
    this.digests = { api: digestOf(auth.apiToken), admin: digestOf(auth.adminToken) };
  }

  canActivate(context: ExecutionContext): boolean {
    const kind = this.reflector.getAllAndOverride<TokenKind | undefined>(REQUIRED_TOKEN, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!kind || this.auth.disabled) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const presented = bearerTokenOf(request.headers.authorization);
    const expected = this.digests[kind];
    if (presented !== undefined && expected && timingSafeEqual(digestOf(presented)!, expected)) {
      return true;
    }
    context.switchToHttp().getResponse<FastifyReply>().header('WWW-Authenticate', 'Bearer');
    throw new UnauthorizedException('Missing or wrong bearer token');
  }
}

function bearerTokenOf(header: string | undefined): string | undefined {
  const match = /^Bearer +(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

/** Equal-length digests let timingSafeEqual compare tokens of any length. */
function digestOf(token: string | undefined): Buffer | undefined {
  return token === undefined ? undefined : createHash('sha256').update(token).digest();
}
