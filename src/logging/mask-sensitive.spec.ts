import { maskSensitive } from './mask-sensitive.js';

describe('maskSensitive', () => {
  it.each([
    ['ada@example.com', 'a***@example.com'],
    [
      'to ada@example.com and bob.smith+news@mail.example.org.',
      'to a***@example.com and b***@mail.example.org.',
    ],
    ['/subscriptions/ada@example.com/news', '/subscriptions/a***@example.com/news'],
    ['/subscriptions/ada%40example.com/news', '/subscriptions/a***%40example.com/news'],
    ['x@example.com', '***@example.com'],
    ['{"target":"Ada.Lovelace@Example.COM"}', '{"target":"A***@Example.COM"}'],
  ])('keeps the first character and the domain of an address: %s', (text, masked) => {
    expect(maskSensitive(text)).toBe(masked);
  });

  it.each([
    ['Authorization: Bearer test-api-token-0123456789', 'Authorization: Bearer [Redacted]'],
    ['{"authorization":"bearer abc.def-ghi_jkl"}', '{"authorization":"bearer [Redacted]"}'],
    ['Basic dXNlcjpwYXNzd29yZA==', 'Basic [Redacted]'],
  ])('redacts the credential after an authorization scheme: %s', (text, masked) => {
    expect(maskSensitive(text)).toBe(masked);
  });

  it('redacts the password of a URL and masks a user name that is an address', () => {
    expect(maskSensitive('smtp://mailer:s3cret@smtp.example.com:587')).toBe(
      'smtp://mailer:[Redacted]@smtp.example.com:587',
    );
    expect(maskSensitive('smtps://ada%40example.com:pw@smtp.example.com')).toBe(
      'smtps://a***%40example.com:[Redacted]@smtp.example.com',
    );
  });

  it.each([
    'Missing or wrong bearer token',
    'Mapped {/subscriptions/:userId/:tag, PUT} route',
    'user:ada|tag:news at 08:00 UTC',
    'import from @nestjs/core',
    'http://127.0.0.1:3000/health/live',
  ])('leaves text without secrets as it is: %s', (text) => {
    expect(maskSensitive(text)).toBe(text);
  });

  it('is idempotent and keeps a JSON line parseable', () => {
    const line = JSON.stringify({
      msg: 'sent to ada@example.com',
      auth: 'Bearer abcdefgh12345678',
    });
    const once = maskSensitive(line);
    expect(maskSensitive(once)).toBe(once);
    expect(JSON.parse(once)).toEqual({
      msg: 'sent to a***@example.com',
      auth: 'Bearer [Redacted]',
    });
  });

  // How long it takes is a benchmark (npm run bench:mask), not a timed assertion here.
  it('leaves a long line without any address as it is', () => {
    const line = 'a'.repeat(200_000);
    expect(maskSensitive(line)).toBe(line);
  });
});
