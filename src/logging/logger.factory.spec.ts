import { createLogger, unredacted } from './logger.factory.js';

function capture() {
  const lines: string[] = [];
  return { lines, destination: { write: (line: string) => void lines.push(line) } };
}

describe('createLogger', () => {
  it('writes one JSON line per call, with the level by name', () => {
    const { lines, destination } = capture();
    createLogger('info', destination).info({ userId: 'u1' }, 'hello');

    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({ level: 'info', msg: 'hello', userId: 'u1' });
  });

  it('redacts authorization headers, tokens, passwords and secrets by field name', () => {
    const { lines, destination } = capture();
    createLogger('info', destination).info(
      {
        req: { headers: { authorization: 'Bearer x', cookie: 'sid=1', accept: '*/*' } },
        headers: { authorization: 'Basic y' },
        auth: { apiToken: 'api-token-value', adminToken: 'admin-token-value' },
        token: 'top-level-token',
        mail: { password: 'smtp-password' },
        webhook: { secret: 'whsec_abc' },
      },
      'request',
    );
    const line = JSON.parse(lines[0]);

    expect(line.req.headers).toEqual({
      authorization: '[Redacted]',
      cookie: '[Redacted]',
      accept: '*/*',
    });
    expect(line.headers.authorization).toBe('[Redacted]');
    expect(line.auth).toEqual({ apiToken: '[Redacted]', adminToken: '[Redacted]' });
    expect(line.token).toBe('[Redacted]');
    expect(line.mail.password).toBe('[Redacted]');
    expect(line.webhook.secret).toBe('[Redacted]');
  });

  it('masks email addresses in the message, in fields and in child bindings', () => {
    const { lines, destination } = capture();
    createLogger('info', destination)
      .child({ userId: 'ada@example.com' })
      .info(
        { target: 'bob@example.org', nested: { to: ['eve@example.net'] } },
        'sent to ada@example.com',
      );
    const line = lines[0];

    expect(line).not.toMatch(/ada@|bob@|eve@/);
    expect(JSON.parse(line)).toMatchObject({
      userId: 'a***@example.com',
      target: 'b***@example.org',
      nested: { to: ['e***@example.net'] },
      msg: 'sent to a***@example.com',
    });
  });

  it('writes nothing at level silent', () => {
    const { lines, destination } = capture();
    const logger = createLogger('silent', destination);
    logger.fatal('boom');
    logger.error('bad');

    expect(lines).toEqual([]);
  });

  it('writes the same line without the redaction pass for fields that hold no secret', () => {
    const { lines, destination } = capture();
    const logger = createLogger('info', destination);
    const req = { method: 'PUT', url: '/subscriptions/u1/news', host: 'h', remotePort: 1 };
    const fields = { req, res: { statusCode: 201 }, responseTime: 3 };
    logger.child({ reqId: 'r1' }).info(fields, 'request completed');
    unredacted(logger).info({ reqId: 'r1', ...fields }, 'request completed');
    const withoutTime = (line: string) => line.replace(/"time":"[^"]*"/, '');

    expect(lines).toHaveLength(2);
    expect(withoutTime(lines[1])).toBe(withoutTime(lines[0]));
  });

  it('masks credentials and email addresses in the lines it writes without redaction', () => {
    const { lines, destination } = capture();
    const url = '/subscriptions/ada@example.com/news?auth=Bearer%20abcdefghijkl';
    unredacted(createLogger('info', destination)).info({ req: { url } }, 'request completed');

    expect(lines[0]).not.toMatch(/ada@/);
    expect(JSON.parse(lines[0]).req.url).toBe(
      '/subscriptions/a***@example.com/news?auth=Bearer%20abcdefghijkl',
    );
  });
});
