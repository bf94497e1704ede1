import { ADMIN_TOKEN, API_TOKEN, runChimeToExit } from './support/chime-process.js';
import { freePort } from './support/redis-server.js';

const HOOK_TIMEOUT_MS = 30_000;

/** Each refusal and the variables its message must name (as whole words). */
const refusals: { condition: string; variables: string[]; env: Record<string, string> }[] = [
  {
    condition: 'with REDIS_CLUSTER_NODES and REDIS_SENTINELS both set',
    variables: ['REDIS_CLUSTER_NODES', 'REDIS_SENTINELS'],
    env: {
      REDIS_CLUSTER_NODES: '127.0.0.1:7000',
      REDIS_SENTINELS: '127.0.0.1:26379',
      REDIS_SENTINEL_MASTER: 'chime-primary',
    },
  },
  {
    condition: 'with REDIS_SENTINELS but no REDIS_SENTINEL_MASTER',
    variables: ['REDIS_SENTINEL_MASTER'],
    env: { REDIS_SENTINELS: '127.0.0.1:26379' },
  },
  {
    condition: 'with an explicit REDIS_URL and REDIS_CLUSTER_NODES',
    variables: ['REDIS_URL', 'REDIS_CLUSTER_NODES'],
    env: { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_CLUSTER_NODES: '127.0.0.1:7000' },
  },
  {
    condition: 'with an explicit REDIS_URL and REDIS_SENTINELS',
    variables: ['REDIS_URL', 'REDIS_SENTINELS'],
    env: {
      REDIS_URL: 'redis://127.0.0.1:6379',
      REDIS_SENTINELS: '127.0.0.1:26379',
      REDIS_SENTINEL_MASTER: 'chime-primary',
    },
  },
  {
    condition: 'with a REDIS_CLUSTER_NODES seed without a port',
    variables: ['REDIS_CLUSTER_NODES'],
    env: { REDIS_CLUSTER_NODES: '127.0.0.1:7000,redis-2' },
  },
  {
    condition: 'with a REDIS_SENTINELS entry that is not host:port',
    variables: ['REDIS_SENTINELS'],
    env: { REDIS_SENTINELS: '127.0.0.1:99999', REDIS_SENTINEL_MASTER: 'chime-primary' },
  },
  {
    condition: 'with REDIS_PASSWORD for the single node of REDIS_URL',
    variables: ['REDIS_PASSWORD'],
    env: { REDIS_PASSWORD: 'secret' },
  },
  {
    condition: 'with REDIS_MIN_REPLICAS_ACK=-1',
    variables: ['REDIS_MIN_REPLICAS_ACK'],
    env: { REDIS_MIN_REPLICAS_ACK: '-1' },
  },
  {
    condition: 'with REDIS_BUCKETS=16385',
    variables: ['REDIS_BUCKETS'],
    env: { REDIS_BUCKETS: '16385' },
  },
];

describe('Redis topology configuration (SPEC 6): exactly one topology', () => {
  const outcomes = new Map<string, { code: number | null; output: string }>();
  // A few side by side: each process takes a second or more to start and give up.
  const SIDE_BY_SIDE = 3;

  beforeAll(async () => {
    const waiting = [...refusals];
    const runner = async () => {
      for (let next = waiting.shift(); next; next = waiting.shift()) {
        const env = { PORT: String(await freePort()), API_TOKEN, ADMIN_TOKEN, ...next.env };
        outcomes.set(next.condition, await runChimeToExit(env));
      }
    };
    await Promise.all(Array.from({ length: SIDE_BY_SIDE }, runner));
  }, 4 * HOOK_TIMEOUT_MS);

  it.each(refusals)(
    'refuses to start $condition, naming $variables',
    ({ condition, variables }) => {
      const { code, output } = outcomes.get(condition)!;
      expect(code).toBe(1);
      expect(output).toContain('Invalid configuration');
      for (const variable of variables) expect(output).toMatch(new RegExp(`\\b${variable}\\b`));
    },
  );
});
