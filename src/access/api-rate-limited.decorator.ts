import { ApiTooManyRequestsResponse } from '@nestjs/swagger';
import { ErrorResponse } from '../common/error.response.js';

/** OpenAPI: the route answers 429 with `Retry-After` past RATE_LIMIT_PER_MINUTE. */
export function ApiRateLimited(): ClassDecorator & MethodDecorator {
  return ApiTooManyRequestsResponse({
    type: ErrorResponse,
    description: 'Over RATE_LIMIT_PER_MINUTE requests from this client address in a minute',
    headers: {
      'Retry-After': {
        description: 'Seconds until this client may send again',
        schema: { type: 'integer', minimum: 1, example: 42 },
      },
    },
  });
}
