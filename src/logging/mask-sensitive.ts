// Bounded repetitions keep each pattern linear on long lines (a 4 KiB `data`, a stack).

/** `ada@example.com`, or `ada%40example.com` as it appears in a URL. */
const EMAIL = /([A-Za-z0-9._%+-]{1,64})(@|%40)([A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})+)/gi;
/** `Authorization` values: `Bearer <token>`, `Basic <credentials>`. */
const CREDENTIAL = /\b(Bearer|Basic)(\s{1,16})[A-Za-z0-9._~+/=-]{8,}/gi;
/** The password of `smtp://user:password@host` and other URLs. */
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]{0,31}:\/\/[^\s:/@"\\]{0,256}:)[^\s/@"\\]{1,256}@/gi;

/**
 * Masks what must never reach a log, wherever it appears in `text`: email addresses keep
 * their first character and their domain (`a***@example.com`); credentials after `Bearer`
 * or `Basic` and passwords in URLs become `[Redacted]`. chime applies it to each whole
 * JSON log line, so it covers messages, fields and stack traces alike; it never writes
 * `"` or `\`, so a JSON line stays JSON.
 */
export function maskSensitive(text: string): string {
  return text
    .replace(URL_PASSWORD, '$1[Redacted]@')
    .replace(CREDENTIAL, '$1$2[Redacted]')
    .replace(EMAIL, (_match, local: string, at: string, domain: string) => {
      const masked = local.length > 1 ? `${local[0]}***` : '***';
      return `${masked}${at}${domain}`;
    });
}
