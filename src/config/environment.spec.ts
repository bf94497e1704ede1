import {
  deliveryQueueCount,
  InvalidConfigurationError,
  MAX_RETRY_SPAN_MS,
  retrySpanMs,
  validateEnvironment,
} from './environment.js';

const tokens = { API_TOKEN: 'a'.repeat(16), ADMIN_TOKEN: 'b'.repeat(16) };

const VARIABLES = [
  'PORT',
  'REDIS_URL',
  'KEY_PREFIX',
  'DEFAULT_TIMEZONE',
  'LOOKAHEAD_MINUTES',
  'CATCHUP_MINUTES',
  'DEDUPE_TTL_SECONDS',
  'MAX_ATTEMPTS',
  'RETRY_BACKOFF_MS',
  'RATE_LIMIT_PER_MINUTE',
  'DELIVERY_CONCURRENCY',
  'API_TOKEN',
  'ADMIN_TOKEN',
  'METRICS_TOKEN',
  'WEBHOOK_SECRET',
  'WEBHOOK_TIMEOUT_MS',
  'WEBHOOK_ALLOW_PRIVATE',
  'DNS_SERVERS',
  'SMTP_URL',
  'MAIL_FROM',
  'MAIL_OUTBOX_DIR',
  'AUTH_DISABLED',
  'LOG_LEVEL',
  'TRUST_PROXY',
];

/** The variables a refused configuration's message names (as whole words). */
function namedIn(raw: Record<string, string>): string[] {
  try {
    validateEnvironment(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidConfigurationError);
    const message = (error as Error).message;
    return VARIABLES.filter((name) => new RegExp(`\\b${name}\\b`).test(message));
  }
  throw new Error('the configuration was accepted');
}

describe('validateEnvironment', () => {
  it('gives SPEC 6 defaults when only the tokens are set', () => {
    expect(validateEnvironment(tokens)).toMatchObject({
      PORT: 3000,
      REDIS_URL: 'redis://127.0.0.1:6379',
      KEY_PREFIX: 'chime',
      DEFAULT_TIMEZONE: 'UTC',
      LOOKAHEAD_MINUTES: 4,
      CATCHUP_MINUTES: 15,
      DEDUPE_TTL_SECONDS: undefined,
      MAX_ATTEMPTS: 5,
      RETRY_BACKOFF_MS: 2000,
      RATE_LIMIT_PER_MINUTE: 1200,
      WEBHOOK_TIMEOUT_MS: 5000,
      WEBHOOK_ALLOW_PRIVATE: false,
      SMTP_URL: undefined,
      MAIL_OUTBOX_DIR: './var/outbox',
      AUTH_DISABLED: false,
      ...tokens,
    });
  });

  it('reads numbers and booleans from their text', () => {
    const raw = { ...tokens, PORT: '8080', CATCHUP_MINUTES: '0', WEBHOOK_ALLOW_PRIVATE: 'true' };
    expect(validateEnvironment({ ...raw, DEDUPE_TTL_SECONDS: '3600' })).toMatchObject({
      PORT: 8080,
      CATCHUP_MINUTES: 0,
      WEBHOOK_ALLOW_PRIVATE: true,
      DEDUPE_TTL_SECONDS: 3600,
    });
  });

  it('accepts good optional values', () => {
    const raw = { ...tokens, WEBHOOK_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' };
    const env = validateEnvironment({ ...raw, SMTP_URL: 'smtp://mail:25', LOG_LEVEL: 'debug' });
    expect(env).toMatchObject({ SMTP_URL: 'smtp://mail:25', LOG_LEVEL: 'debug' });
  });

  it('accepts DNS servers as ip, ip:port or [ipv6]:port', () => {
    const value = ' 127.0.0.1:5353, 10.0.0.1 ,::1,[2001:db8::1]:53';
    expect(validateEnvironment({ ...tokens, DNS_SERVERS: value }).DNS_SERVERS).toBe(value);
  });

  it('ignores variables that are not its own', () => {
    expect(() => validateEnvironment({ ...tokens, HOME: '/root', PORTS: 'x' })).not.toThrow();
  });

  it.each([
    ['PORT', '0'],
    ['PORT', 'abc'],
    ['PORT', '65536'],
    ['PORT', '3000.5'],
    ['LOOKAHEAD_MINUTES', '0'],
    ['CATCHUP_MINUTES', '-1'],
    ['DEDUPE_TTL_SECONDS', '10'],
    ['DEFAULT_TIMEZONE', 'Mars/Olympus'],
    ['REDIS_URL', 'http://x'],
    ['KEY_PREFIX', 'has space'],
    ['MAX_ATTEMPTS', '0'],
    ['WEBHOOK_SECRET', 'nope'],
    ['AUTH_DISABLED', 'maybe'],
    ['WEBHOOK_ALLOW_PRIVATE', 'yes'],
    ['LOG_LEVEL', 'loud'],
    ['SMTP_URL', 'http://x'],
    ['MAIL_FROM', 'not an address'],
    ['API_TOKEN', 'short'],
    ['DNS_SERVERS', 'dns.example'],
    ['DNS_SERVERS', '127.0.0.1:99999'],
    ['API_TOKEN', 'test-api-token 0123456789'],
    ['ADMIN_TOKEN', 'test-admin-token-0123456789\n'],
    ['ADMIN_TOKEN', '\ttest-admin-token-0123456789'],
    ['METRICS_TOKEN', 'short'],
    ['METRICS_TOKEN', 'metrics token 0123456789'],
    ['TRUST_PROXY', 'yes'],
    ['TRUST_PROXY', '-1'],
    ['TRUST_PROXY', '10.0.0.0/33'],
    ['TRUST_PROXY', '10.0.0.1, proxy.example.com'],
  ])('refuses %s=%s and names it', (name, value) => {
    expect(namedIn({ ...tokens, [name]: value })).toEqual([name]);
  });

  it('names every bad variable at once', () => {
    const raw = { ...tokens, PORT: '0', LOG_LEVEL: 'loud', REDIS_URL: 'http://x' };
    expect(namedIn(raw).sort()).toEqual(['LOG_LEVEL', 'PORT', 'REDIS_URL']);
  });

  it.each([
    [{}, ['API_TOKEN', 'ADMIN_TOKEN']],
    [{ AUTH_DISABLED: 'false' }, ['API_TOKEN', 'ADMIN_TOKEN']],
    [{ API_TOKEN: tokens.API_TOKEN }, ['ADMIN_TOKEN']],
    [{ ADMIN_TOKEN: tokens.ADMIN_TOKEN }, ['API_TOKEN']],
  ])('refuses to start with a token missing: %j', (raw, missing) => {
    // The message also points to AUTH_DISABLED=true as the way out.
    expect(namedIn(raw).filter((name) => name !== 'AUTH_DISABLED')).toEqual(missing);
  });

  it('refuses the same token for the API and the admin routes, naming both', () => {
    const same = 'c'.repeat(16);
    expect(() => validateEnvironment({ API_TOKEN: same, ADMIN_TOKEN: same })).toThrow(
      /API_TOKEN and ADMIN_TOKEN must differ/,
    );
  });

  it.each(['API_TOKEN', 'ADMIN_TOKEN'] as const)('refuses a METRICS_TOKEN equal to %s', (name) => {
    expect(() => validateEnvironment({ ...tokens, METRICS_TOKEN: tokens[name] })).toThrow(
      /METRICS_TOKEN must differ from API_TOKEN and ADMIN_TOKEN/,
    );
  });

  it('accepts a METRICS_TOKEN of its own, and leaves it unset by default', () => {
    expect(validateEnvironment(tokens).METRICS_TOKEN).toBeUndefined();
    const metrics = 'm'.repeat(16);
    expect(validateEnvironment({ ...tokens, METRICS_TOKEN: metrics }).METRICS_TOKEN).toBe(metrics);
  });

  it.each([
    'false',
    'true',
    '0',
    '2',
    '127.0.0.1',
    '10.0.0.0/8, 192.168.1.7',
    '::1,fd00::/8',
    'loopback',
  ])('accepts TRUST_PROXY=%s', (value) => {
    expect(validateEnvironment({ ...tokens, TRUST_PROXY: value }).TRUST_PROXY).toBe(value);
  });

  it('starts without tokens only when AUTH_DISABLED=true', () => {
    expect(validateEnvironment({ AUTH_DISABLED: 'true' }).AUTH_DISABLED).toBe(true);
  });

  it('counts empty strings as unset', () => {
    const blanks = {
      PORT: '',
      LOG_LEVEL: '',
      DEFAULT_TIMEZONE: '',
      SMTP_URL: '',
      AUTH_DISABLED: '',
    };
    expect(validateEnvironment({ ...tokens, ...blanks })).toMatchObject({
      PORT: 3000,
      LOG_LEVEL: 'info',
      DEFAULT_TIMEZONE: 'UTC',
      SMTP_URL: undefined,
      AUTH_DISABLED: false,
    });
    expect(namedIn({ API_TOKEN: '', ADMIN_TOKEN: tokens.ADMIN_TOKEN })).toContain('API_TOKEN');
  });
});

describe('DEDUPE_TTL_SECONDS against the windows that can see an occurrence again', () => {
  const tokens = { API_TOKEN: 'a'.repeat(16), ADMIN_TOKEN: 'b'.repeat(16) };

  it('refuses a TTL no longer than lookahead + catch-up, naming the variable', () => {
    expect(() => validateEnvironment({ ...tokens, DEDUPE_TTL_SECONDS: '1140' })).toThrow(
      /DEDUPE_TTL_SECONDS must be more than \(LOOKAHEAD_MINUTES \+ CATCHUP_MINUTES\) \* 60 = 1140/,
    );
  });

  it('accepts a longer one', () => {
    expect(validateEnvironment({ ...tokens, DEDUPE_TTL_SECONDS: '1141' }).DEDUPE_TTL_SECONDS).toBe(
      1141,
    );
  });
});

describe('MAX_ATTEMPTS and RETRY_BACKOFF_MS together', () => {
  const tokens = { API_TOKEN: 'a'.repeat(16), ADMIN_TOKEN: 'b'.repeat(16) };

  it('refuses retries that would wait more than a day in all, naming both variables', () => {
    // 2000 ms x (2^16 - 1) = 131,070 s: a day and a half.
    expect(() => validateEnvironment({ ...tokens, MAX_ATTEMPTS: '17' })).toThrow(
      /MAX_ATTEMPTS and RETRY_BACKOFF_MS: the retries would wait 131070 s in all/,
    );
    expect(() =>
      validateEnvironment({ ...tokens, MAX_ATTEMPTS: '100', RETRY_BACKOFF_MS: '1' }),
    ).toThrow(/at most 86400 s \(a day\) is allowed/);
  });

  it('accepts the defaults and a span of exactly a day', () => {
    expect(retrySpanMs(5, 2000)).toBe(30_000);
    expect(validateEnvironment(tokens).MAX_ATTEMPTS).toBe(5);
    const oneDay = { MAX_ATTEMPTS: '2', RETRY_BACKOFF_MS: String(MAX_RETRY_SPAN_MS) };
    expect(validateEnvironment({ ...tokens, ...oneDay }).RETRY_BACKOFF_MS).toBe(MAX_RETRY_SPAN_MS);
  });

  it('accepts many attempts when each wait is short', () => {
    expect(
      validateEnvironment({ ...tokens, MAX_ATTEMPTS: '26', RETRY_BACKOFF_MS: '1' }),
    ).toMatchObject({ MAX_ATTEMPTS: 26 });
  });
});

describe('DELIVERY_QUEUES against REDIS_BUCKETS', () => {
  const tokens = { API_TOKEN: 'a'.repeat(16), ADMIN_TOKEN: 'b'.repeat(16) };
  const count = (raw: Record<string, string>) =>
    deliveryQueueCount(validateEnvironment({ ...tokens, ...raw }));

  it('is 4 by default, or REDIS_BUCKETS when that is fewer', () => {
    expect(count({})).toBe(4);
    expect(count({ REDIS_BUCKETS: '3' })).toBe(3);
    expect(count({ REDIS_BUCKETS: '1' })).toBe(1);
  });

  it('takes any count from 1 to REDIS_BUCKETS', () => {
    expect(count({ DELIVERY_QUEUES: '1' })).toBe(1);
    expect(count({ DELIVERY_QUEUES: '16' })).toBe(16);
    expect(count({ REDIS_BUCKETS: '64', DELIVERY_QUEUES: '64' })).toBe(64);
  });

  it('refuses more queues than buckets, naming both variables', () => {
    expect(() => validateEnvironment({ ...tokens, DELIVERY_QUEUES: '17' })).toThrow(
      /DELIVERY_QUEUES \(17\) must not exceed REDIS_BUCKETS \(16\)/,
    );
    expect(() =>
      validateEnvironment({ ...tokens, REDIS_BUCKETS: '2', DELIVERY_QUEUES: '3' }),
    ).toThrow(/DELIVERY_QUEUES \(3\) must not exceed REDIS_BUCKETS \(2\)/);
  });

  it('refuses a count that is not a whole number from 1, naming it', () => {
    for (const bad of ['0', '-1', '2.5', 'four']) {
      expect(() => validateEnvironment({ ...tokens, DELIVERY_QUEUES: bad })).toThrow(
        /DELIVERY_QUEUES/,
      );
    }
  });
});
