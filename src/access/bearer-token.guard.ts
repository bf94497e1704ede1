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
import { TokenKind } from './require-token.decorator.js';
import { RouteAccess, routeAccess } from './route-access.js';
import { RouteMemo } from './route-memo.js';
import { bearerTokenOf, TokenMatcher } from './token-matcher.js';

/**
 * Every route needs the bearer token its `@RequireToken` names, compared in constant time,
 * unless it is `@Public()`; a route with neither is refused, and /admin/** always takes the
 * admin token (see routeAccess). /metrics is public while METRICS_TOKEN is unset.
 */
@Injectable()
export class BearerTokenGuard implements CanActivate {
  private readonly matchers: Record<TokenKind, TokenMatcher>;
  /** Per controller, handler and routed path. */
  private readonly accessOf = new RouteMemo<Map<string | undefined, RouteAccess>>();

  constructor(
    private readonly reflector: Reflector,
    @Inject(authConfig.KEY) private readonly auth: ConfigType<typeof authConfig>,
  ) {
    this.matchers = {
      api: new TokenMatcher(auth.apiToken),
      admin: new TokenMatcher(auth.adminToken),
      metrics: new TokenMatcher(auth.metricsToken),
    };
  }

  canActivate(context: ExecutionContext): boolean {
    if (this.auth.disabled) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const access = this.access(request.routeOptions?.url, context);
    if (access === 'public') return true;
    if (access === 'metrics' && this.auth.metricsToken === undefined) return true;
    const presented = bearerTokenOf(request.headers.authorization);
    if (access !== 'unmarked' && this.matchers[access].matches(presented)) return true;
    context.switchToHttp().getResponse<FastifyReply>().header('WWW-Authenticate', 'Bearer');
    throw new UnauthorizedException('Missing or wrong bearer token');
  }

  private access(routedPath: string | undefined, context: ExecutionContext): RouteAccess {
    const byPath = this.accessOf.of(context, () => new Map());
    let access = byPath.get(routedPath);
    if (access === undefined) {
      access = routeAccess(routedPath, [context.getHandler(), context.getClass()], (key, target) =>
        this.reflector.get(key, target as () => unknown),
      );
      byPath.set(routedPath, access);
    }
    return access;
  }
}
