import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ApiRateLimited } from './api-rate-limited.decorator.js';

export type TokenKind = 'api' | 'admin';
export const REQUIRED_TOKEN = 'chime:required-token';

/**
 * Routes under it need `Authorization: Bearer <API_TOKEN>` (or `<ADMIN_TOKEN>` for 'admin').
 * The API token's routes are the client API, which ClientRateLimitGuard limits.
 */
export function RequireToken(kind: TokenKind): ClassDecorator & MethodDecorator {
  return applyDecorators(
    SetMetadata(REQUIRED_TOKEN, kind),
    ApiBearerAuth(kind === 'api' ? 'apiToken' : 'adminToken'),
    ApiUnauthorizedResponse({ description: 'Missing or wrong bearer token' }),
    ...(kind === 'api' ? [ApiRateLimited()] : []),
  );
}
