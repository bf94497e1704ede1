import { randomUUID } from 'node:crypto';

/** The header a request id arrives in and is echoed back in. */
export const REQUEST_ID_HEADER = 'x-request-id';

/** What a caller's id may look like to be kept: short, and nothing a log reader trips on. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The id of a request: the caller's `x-request-id` when it is a sane value (so one id
 * follows a request through a proxy or a client's own logs), otherwise a new UUID.
 */
export function requestIdFrom(header: string | string[] | undefined): string {
  return typeof header === 'string' && SANE_REQUEST_ID.test(header) ? header : randomUUID();
}
