import { PageCursor, PageLimit } from '../../common/validators.js';

const TAG = /^[A-Za-z0-9_.:@+-]{1,128}$/;

/** A list cursor names the last tag of the page before, base64url-encoded. */
export function encodeTagCursor(tag: string): string {
  return Buffer.from(tag).toString('base64url');
}

/** The tag a cursor names, or null when it is not one chime made. */
export function decodeTagCursor(cursor: string): string | null {
  const tag = Buffer.from(cursor, 'base64url').toString('utf8');
  return TAG.test(tag) && encodeTagCursor(tag) === cursor ? tag : null;
}

export class ListSubscriptionsQuery {
  @PageLimit(100)
  limit?: number;

  @PageCursor((cursor) => decodeTagCursor(cursor) !== null, 'this list', 'bW9ybmluZy1uZXdz')
  cursor?: string;
}
