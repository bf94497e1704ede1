import { redisConfig } from './configuration.js';
import { InvalidConfigurationError, validateEnvironment } from './environment.js';
import { parseAddress } from './redis-topology.js';

const tokens = { API_TOKEN: 'a'.repeat(16), ADMIN_TOKEN: 'b'.repeat(16) };

const REDIS_VARIABLES = [
  'REDIS_URL',
  'REDIS_CLUSTER_NODES',
  'REDIS_SENTINELS',
  'REDIS_SENTINEL_MASTER',
  'REDIS_USERNAME',
  'REDIS_PASSWORD',
  'REDIS_TLS',
  'REDIS_MIN_REPLICAS_ACK',
  'REDIS_BUCKETS',
];

/** The REDIS_ variables a refused configuration's message names (as whole words). */
function namedIn(raw: Record<string, string>): string[] {
  try {
    validateEnvironment({ ...tokens, ...raw });
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidConfigurationError);
    const message = (error as Error).message;
    return REDIS_VARIABLES.filter((name) => new RegExp(`\\b${name}\\b`).test(message));
  }
  throw new Error('the configuration was accepted');
}

/** The message of a refused configuration. */
function refusalOf(raw: Record<string, string>): string {
  try {
    validateEnvironment({ ...tokens, ...raw });
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('the configuration was accepted');
}

/** The redis namespace as chime reads it from this environment. */
function redisWith(variables: Record<string, string>) {
  const saved = process.env;
  process.env = { ...tokens, ...variables };
  try {
    return redisConfig();
  } finally {
    process.env = saved;
  }
}

describe('the Redis topology (SPEC 6)', () => {
  it('is the single node of REDIS_URL by default, waiting for no replica, in 16 buckets', () => {
    expect(redisWith({})).toMatchObject({
      topology: { kind: 'single', url: 'redis://127.0.0.1:6379' },
      minReplicasAck: 0,
      buckets: 16,
    });
    expect(redisWith({ REDIS_URL: 'rediss://u:p@redis:6380' }).topology).toEqual({
      kind: 'single',
      url: 'rediss://u:p@redis:6380',
    });
  });

  it('is a cluster of the REDIS_CLUSTER_NODES seeds, with the shared credentials and TLS', () => {
    const config = redisWith({
      REDIS_CLUSTER_NODES: 'redis-1:7000, 10.0.0.2:7001,[::1]:7002',
      REDIS_USERNAME: 'chime',
      REDIS_PASSWORD: 'secret',
      REDIS_TLS: 'true',
    });
    expect(config.topology).toEqual({
      kind: 'cluster',
      nodes: [
        { host: 'redis-1', port: 7000 },
        { host: '10.0.0.2', port: 7001 },
        { host: '::1', port: 7002 },
      ],
      username: 'chime',
      password: 'secret',
      tls: true,
    });
  });

  it('is a Sentinel-managed primary of REDIS_SENTINELS and REDIS_SENTINEL_MASTER', () => {
    const config = redisWith({
      REDIS_SENTINELS: 's1:26379,s2:26379',
      REDIS_SENTINEL_MASTER: 'chime-primary',
    });
    expect(config.topology).toEqual({
      kind: 'sentinel',
      sentinels: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26379 },
      ],
      masterName: 'chime-primary',
      username: undefined,
      password: undefined,
      tls: false,
    });
  });

  it('counts an empty REDIS_URL as unset, so a .env line left blank does not conflict', () => {
    const config = redisWith({ REDIS_URL: '', REDIS_CLUSTER_NODES: 'redis-1:7000' });
    expect(config.topology.kind).toBe('cluster');
  });

  it('reads REDIS_MIN_REPLICAS_ACK and REDIS_BUCKETS', () => {
    expect(redisWith({ REDIS_MIN_REPLICAS_ACK: '1', REDIS_BUCKETS: '16384' })).toMatchObject({
      minReplicasAck: 1,
      buckets: 16384,
    });
  });
});

describe('refused Redis configurations name the variables', () => {
  it.each([
    [
      { REDIS_CLUSTER_NODES: 'a:1', REDIS_SENTINELS: 'b:2', REDIS_SENTINEL_MASTER: 'm' },
      ['REDIS_CLUSTER_NODES', 'REDIS_SENTINELS'],
    ],
    [{ REDIS_SENTINELS: 'b:26379' }, ['REDIS_SENTINELS', 'REDIS_SENTINEL_MASTER']],
    [{ REDIS_SENTINEL_MASTER: 'chime-primary' }, ['REDIS_SENTINELS', 'REDIS_SENTINEL_MASTER']],
    [
      { REDIS_URL: 'redis://r:6379', REDIS_CLUSTER_NODES: 'a:1' },
      ['REDIS_URL', 'REDIS_CLUSTER_NODES'],
    ],
    [
      { REDIS_URL: 'redis://r:6379', REDIS_SENTINELS: 'b:2', REDIS_SENTINEL_MASTER: 'm' },
      ['REDIS_URL', 'REDIS_SENTINELS'],
    ],
  ])('more or less than one topology: %j', (raw, names) => {
    expect(namedIn(raw)).toEqual(names);
  });

  it.each([
    'redis-1',
    'redis-1:',
    ':7000',
    'redis-1:0',
    'redis-1:65536',
    'redis-1:7000:1',
    'redis 1:7000',
    '::1:7000',
    '[10.0.0.1]:7000',
    'a..b:7000',
    ',',
  ])('a REDIS_CLUSTER_NODES entry that is not host:port: %j', (nodes) => {
    expect(namedIn({ REDIS_CLUSTER_NODES: nodes })).toEqual(['REDIS_CLUSTER_NODES']);
  });

  it('a REDIS_SENTINELS entry that is not host:port, quoting it', () => {
    const raw = { REDIS_SENTINELS: 's1:26379,s2', REDIS_SENTINEL_MASTER: 'm' };
    expect(refusalOf(raw)).toMatch(/REDIS_SENTINELS must be comma-separated host:port.*; not s2$/m);
  });
  it.each(['REDIS_USERNAME', 'REDIS_PASSWORD', 'REDIS_TLS'])(
    '%s with the single node, whose URL carries its own',
    (name) => {
      const value = name === 'REDIS_TLS' ? 'true' : 'chime';
      expect(refusalOf({ [name]: value })).toMatch(
        new RegExp(`^  - ${name} applies to REDIS_CLUSTER_NODES or REDIS_SENTINELS`, 'm'),
      );
    },
  );

  it.each([
    [{ REDIS_TLS: 'yes' }, ['REDIS_TLS']],
    [{ REDIS_MIN_REPLICAS_ACK: '-1' }, ['REDIS_MIN_REPLICAS_ACK']],
    [{ REDIS_MIN_REPLICAS_ACK: 'one' }, ['REDIS_MIN_REPLICAS_ACK']],
    [{ REDIS_BUCKETS: '0' }, ['REDIS_BUCKETS']],
    [{ REDIS_BUCKETS: '16385' }, ['REDIS_BUCKETS']],
    [{ REDIS_BUCKETS: '1.5' }, ['REDIS_BUCKETS']],
    [{ REDIS_SENTINELS: 's:1', REDIS_SENTINEL_MASTER: 'two words' }, ['REDIS_SENTINEL_MASTER']],
  ])('a bad value: %j', (raw, names) => {
    expect(namedIn(raw)).toEqual(names);
  });
});

describe('parseAddress', () => {
  it('reads hostnames, IPv4 and bracketed IPv6 with a port', () => {
    expect(parseAddress('redis_1.internal:6379')).toEqual({ host: 'redis_1.internal', port: 6379 });
    expect(parseAddress('127.0.0.1:1')).toEqual({ host: '127.0.0.1', port: 1 });
    expect(parseAddress('[fe80::1]:65535')).toEqual({ host: 'fe80::1', port: 65535 });
  });
});
