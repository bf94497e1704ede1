import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ApiRateLimited } from './api-rate-limited.decorator.js';

export type TokenKind = 'api' | 'admin' | 'metrics';
export const REQUIRED_TOKEN = 'chime:required-token';

/** The OpenAPI security scheme of each token (src/openapi.ts declares them). */
export const SECURITY_SCHEMES: Record<TokenKind, string> = {
  api: 'apiToken',
  admin: 'adminToken',
  metrics: 'metricsToken',
};

/**
 * Routes under it need `Authorization: Bearer <API_TOKEN>` (`<ADMIN_TOKEN>` for 'admin',
 * `<METRICS_TOKEN>` for 'metrics', which is public while METRICS_TOKEN is unset).
 * The API token's routes are the client API, which ClientRateLimitGuard limits.
 */
export function RequireToken(kind: TokenKind): ClassDecorator & MethodDecorator {
  return applyDecorators(
    SetMetadata(REQUIRED_TOKEN, kind),
    ApiBearerAuth(SECURITY_SCHEMES[kind]),
    ApiUnauthorizedResponse({ description: 'Missing or wrong bearer token' }),
    ...(kind === 'api' ? [ApiRateLimited()] : []),
  );
}
