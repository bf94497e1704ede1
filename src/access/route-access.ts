import { IS_PUBLIC } from './public.decorator.js';
import { REQUIRED_TOKEN, TokenKind } from './require-token.decorator.js';

/** What a route asks of a request: no token, one token, or (unmarked) refusal. */
export type RouteAccess = 'public' | TokenKind | 'unmarked';

/** A metadata reader: Nest's `Reflector.get`, or a fake in a test. */
export type ReadMetadata = <T>(key: string, target: object) => T | undefined;

/**
 * Deny by default. The admin surface is decided by the routed path, so that no marker (or
 * its absence) can open a route under /admin/**. Elsewhere the handler's own marker wins
 * over its controller's; a route marked neither `@Public()` nor `@RequireToken` is refused.
 */
export function routeAccess(
  routedPath: string | undefined,
  targets: readonly object[],
  read: ReadMetadata,
): RouteAccess {
  if (isAdminPath(routedPath)) return 'admin';
  for (const target of targets) {
    const token = read<TokenKind>(REQUIRED_TOKEN, target);
    if (token) return token;
    if (read<boolean>(IS_PUBLIC, target)) return 'public';
  }
  return 'unmarked';
}

export function isAdminPath(routedPath: string | undefined): boolean {
  return routedPath === '/admin' || (routedPath?.startsWith('/admin/') ?? false);
}
