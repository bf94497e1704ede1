import { DeadLetter } from './delivery-record.js';

/** Dead letters are kept this long, then dropped (README, "Redis layout"). */
export const DEAD_LETTER_RETENTION_DAYS = 30;

export interface DeadLetterPage {
  readonly items: DeadLetter[];
  /** Opaque; null on the last page. */
  readonly nextCursor: string | null;
}

/** Deliveries that gave up, newest first, until an operator retries them or they age out. */
export abstract class DeadLetterStore {
  abstract add(letter: DeadLetter): Promise<void>;

  /** Up to `limit` letters older than the `cursor` (null: from the newest). */
  abstract page(limit: number, cursor: string | null): Promise<DeadLetterPage>;

  abstract find(id: string): Promise<DeadLetter | null>;

  /** False when it was gone already. */
  abstract remove(letter: DeadLetter): Promise<boolean>;

  abstract count(): Promise<number>;

  /** Letters that died at or after `instant`. */
  abstract countSince(instant: Date): Promise<number>;
}

/** A cursor is the index member it continues after, base64url-encoded. */
export function encodeDeadLetterCursor(member: string): string {
  return Buffer.from(member).toString('base64url');
}

/** The index member a cursor names, or null when it is not one chime made. */
export function decodeDeadLetterCursor(cursor: string): string | null {
  const member = Buffer.from(cursor, 'base64url').toString('utf8');
  return /^\d{13}\|[A-Za-z0-9_-]{1,64}$/.test(member) ? member : null;
}

/** Index members sort by time because the instant is written with a fixed width. */
export function deadLetterMember(letter: Pick<DeadLetter, 'id' | 'deadAt'>): string {
  return `${indexTime(new Date(letter.deadAt))}|${letter.id}`;
}

export function indexTime(instant: Date): string {
  return String(instant.getTime()).padStart(13, '0');
}
