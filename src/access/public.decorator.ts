import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'chime:public';

/**
 * The route answers without a token. Every other route needs one (`@RequireToken`):
 * BearerTokenGuard refuses a route with neither marker, and any route under /admin/**
 * needs the admin token whatever it is marked.
 */
export function Public(): ClassDecorator & MethodDecorator {
  return SetMetadata(IS_PUBLIC, true);
}
