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
  // Two of the patterns need an `@` (or `%40`): most lines (a request's) have none, and
  // looking for one costs far less than running those patterns over the line.
  const hasAt = text.includes('@') || text.includes('%40');
  const withoutPasswords = hasAt ? text.replace(URL_PASSWORD, '$1[Redacted]@') : text;
  const withoutCredentials = withoutPasswords.replace(CREDENTIAL, '$1$2[Redacted]');
  if (!hasAt) return withoutCredentials;
  return withoutCredentials.replace(EMAIL, (_match, local: string, at: string, domain: string) => {
    const masked = local.length > 1 ? `${local[0]}***` : '***';
    return `${masked}${at}${domain}`;
  });
}
