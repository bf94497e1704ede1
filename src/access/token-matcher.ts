import { hash, timingSafeEqual } from 'node:crypto';

/** Compares presented tokens with one expected token in constant time. */
export class TokenMatcher {
  private readonly expected: Buffer | undefined;

  constructor(token: string | undefined) {
    this.expected = token === undefined ? undefined : digestOf(token);
  }

  matches(presented: string | undefined): boolean {
    if (presented === undefined || this.expected === undefined) return false;
    return timingSafeEqual(digestOf(presented), this.expected);
  }
}

/** Equal-length digests let timingSafeEqual compare tokens of any length (one-shot: half the CPU). */
function digestOf(token: string): Buffer {
  return hash('sha256', token, 'buffer');
}

export function bearerTokenOf(header: string | undefined): string | undefined {
  return /^Bearer +(\S+)\s*$/i.exec(header ?? '')?.[1];
}

/** The password of `Authorization: Basic ...`, which browsers can send for a web page. */
export function basicPasswordOf(header: string | undefined): string | undefined {
  const encoded = /^Basic +([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '')?.[1];
  if (!encoded) return undefined;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon === -1 ? undefined : decoded.slice(colon + 1);
}
