import { readFileSync } from 'node:fs';
import { registerAs } from '@nestjs/config';
import { deliveryQueueCount, dnsServerList, validateEnvironment } from './environment.js';
import { redisTopology } from './redis-topology.js';
import { parseTrustProxy } from './trust-proxy.js';

const environment = () => validateEnvironment(process.env);

const packageJson = JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
) as { version: string };

/** A local date spans at most 25 h (a fall-back day), plus a margin for zones' offsets. */
const LOCAL_DAY_SECONDS = 26 * 3600;

export const appConfig = registerAs('app', () => {
  const env = environment();
  return {
    port: env.PORT,
    logLevel: env.LOG_LEVEL,
    defaultTimezone: env.DEFAULT_TIMEZONE,
    rateLimitPerMinute: env.RATE_LIMIT_PER_MINUTE,
    maxTagsPerUser: env.MAX_TAGS_PER_USER,
    // Validated above: parseTrustProxy answers every value validateEnvironment accepts.
    trustProxy: parseTrustProxy(env.TRUST_PROXY) ?? false,
    version: packageJson.version,
  };
});

export const redisConfig = registerAs('redis', () => {
  const env = environment();
  return {
    topology: redisTopology(env),
    keyPrefix: env.KEY_PREFIX,
    /** 0: a write answers without waiting for replicas (SPEC 8). */
    minReplicasAck: env.REDIS_MIN_REPLICAS_ACK,
    buckets: env.REDIS_BUCKETS,
    deliveryQueues: deliveryQueueCount(env),
  };
});

export const authConfig = registerAs('auth', () => {
  const env = environment();
  return {
    apiToken: env.API_TOKEN,
    adminToken: env.ADMIN_TOKEN,
    // Unset: /metrics is public.
    metricsToken: env.METRICS_TOKEN,
    disabled: env.AUTH_DISABLED,
  };
});

export const schedulerConfig = registerAs('scheduler', () => {
  const env = environment();
  const windowSeconds = (env.LOOKAHEAD_MINUTES + env.CATCHUP_MINUTES) * 60;
  return {
    lookaheadMinutes: env.LOOKAHEAD_MINUTES,
    catchupMinutes: env.CATCHUP_MINUTES,
    maxClockDriftMs: env.MAX_CLOCK_DRIFT_MS,
    // A claim must outlive every window that can see its occurrence again, and the whole
    // local date, so that a time edited after today's send does not send again today.
    dedupeTtlSeconds: env.DEDUPE_TTL_SECONDS ?? LOCAL_DAY_SECONDS + windowSeconds,
  };
});

export const deliveryConfig = registerAs('delivery', () => {
  const env = environment();
  return {
    maxAttempts: env.MAX_ATTEMPTS,
    retryBackoffMs: env.RETRY_BACKOFF_MS,
    concurrency: env.DELIVERY_CONCURRENCY,
    webhook: {
      secret: env.WEBHOOK_SECRET,
      timeoutMs: env.WEBHOOK_TIMEOUT_MS,
      allowPrivate: env.WEBHOOK_ALLOW_PRIVATE,
      dnsServers: dnsServerList(env.DNS_SERVERS),
    },
    mail: { smtpUrl: env.SMTP_URL, from: env.MAIL_FROM, outboxDir: env.MAIL_OUTBOX_DIR },
  };
});

export const configNamespaces = [
  appConfig,
  redisConfig,
  authConfig,
  schedulerConfig,
  deliveryConfig,
];
