import { isIP } from 'node:net';
import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  validateSync,
  ValidationError,
} from 'class-validator';
import { IsIanaTimezone } from '../common/validators.js';
import { redisTopologyProblems } from './redis-topology.js';
import { IsTrustProxy } from './trust-proxy.js';

const toBoolean = ({ value }: { value: unknown }) =>
  value === 'true' ? true : value === 'false' ? false : value;
const toInteger = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;

const MIN_DEDUPE_TTL_SECONDS = 60;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * Every variable of SPEC 6, with its default. Checked once at start-up: a bad value stops
 * chime with a message that names the variable.
 */
export class Environment {
  @Transform(toInteger) @IsInt() @Min(1) @Max(65535) PORT = 3000;
  @Matches(/^rediss?:\/\/\S+$/, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL = 'redis://127.0.0.1:6379';
  /** Comma-separated host:port; this and the Sentinel lists are checked in redis-topology.ts. */
  @IsOptional() @IsString() REDIS_CLUSTER_NODES?: string;
  @IsOptional() @IsString() REDIS_SENTINELS?: string;
  @IsOptional()
  @Matches(/^\S{1,200}$/, { message: 'REDIS_SENTINEL_MASTER must be a name without whitespace' })
  REDIS_SENTINEL_MASTER?: string;
  @IsOptional() @IsString() REDIS_USERNAME?: string;
  @IsOptional() @IsString() REDIS_PASSWORD?: string;
  @Transform(toBoolean) @IsBoolean() REDIS_TLS = false;
  @Transform(toInteger) @IsInt() @Min(0) REDIS_MIN_REPLICAS_ACK = 0;
  /** 16384 is Redis Cluster's slot count: more buckets could not spread any further. */
  @Matches(/^[A-Za-z0-9_.:-]{1,64}$/, {
    message: 'KEY_PREFIX must be 1-64 characters of A-Z a-z 0-9 _ . : -',
  })
  KEY_PREFIX = 'chime';
  @Transform(toInteger) @IsInt() @Min(1) @Max(16384) REDIS_BUCKETS = 16;
  /** Unset: 4, or REDIS_BUCKETS when that is fewer (see deliveryQueueCount). */
  @IsOptional() @Transform(toInteger) @IsInt() @Min(1) @Max(16384) DELIVERY_QUEUES?: number;
  @IsIanaTimezone() DEFAULT_TIMEZONE = 'UTC';
  @Transform(toInteger) @IsInt() @Min(1) @Max(60) LOOKAHEAD_MINUTES = 4;
  @Transform(toInteger) @IsInt() @Min(0) @Max(1440) CATCHUP_MINUTES = 15;
  @Transform(toInteger) @IsInt() @Min(0) @Max(60000) MAX_CLOCK_DRIFT_MS = 1000;
  @IsOptional()
  @Transform(toInteger)
  @IsInt()
  @Min(MIN_DEDUPE_TTL_SECONDS)
  DEDUPE_TTL_SECONDS?: number;
  @Transform(toInteger) @IsInt() @Min(1) @Max(100) MAX_ATTEMPTS = 5;
  @Transform(toInteger) @IsInt() @Min(0) RETRY_BACKOFF_MS = 2000;
  @Transform(toInteger) @IsInt() @Min(0) RATE_LIMIT_PER_MINUTE = 1200;
  @Transform(toInteger) @IsInt() @Min(1) @Max(10000) DELIVERY_CONCURRENCY = 800;
  @Transform(toInteger) @IsInt() @Min(1) @Max(100000) MAX_TAGS_PER_USER = 1000;
  @IsOptional() @IsBearerToken() API_TOKEN?: string;
  @IsOptional() @IsBearerToken() ADMIN_TOKEN?: string;
  @IsOptional() @IsBearerToken() METRICS_TOKEN?: string;
  @Transform(toBoolean) @IsBoolean() AUTH_DISABLED = false;
  @IsOptional()
  @Matches(/^whsec_[A-Za-z0-9+/=]{8,}$/, {
    message: 'WEBHOOK_SECRET must look like whsec_<base64>',
  })
  WEBHOOK_SECRET?: string;
  @Transform(toInteger) @IsInt() @Min(100) @Max(120000) WEBHOOK_TIMEOUT_MS = 5000;
  @Transform(toBoolean) @IsBoolean() WEBHOOK_ALLOW_PRIVATE = false;
  /** Comma-separated `ip` or `ip:port` ([v6]:port): where webhook hosts are resolved. */
  @IsOptional() @IsString() DNS_SERVERS?: string;
  @IsOptional()
  @Matches(/^smtps?:\/\/\S+$/, { message: 'SMTP_URL must be an smtp:// or smtps:// URL' })
  SMTP_URL?: string;
  @IsEmail({ require_tld: false }) MAIL_FROM = 'chime@localhost';
  @IsString() @MinLength(1) MAIL_OUTBOX_DIR = './var/outbox';
  @IsIn(LOG_LEVELS) LOG_LEVEL: (typeof LOG_LEVELS)[number] = 'info';
  @IsTrustProxy() TRUST_PROXY = 'false';
}

/**
 * At least 16 characters, none of them whitespace: a token with a space or a newline is
 * a copy-paste accident, and no `Authorization: Bearer` header could carry it intact.
 */
function IsBearerToken(): PropertyDecorator {
  return applyDecorators(
    IsString(),
    MinLength(16),
    Matches(/^\S+$/, { message: ({ property }) => `${property} must not contain whitespace` }),
  );
}

function applyDecorators(...decorators: PropertyDecorator[]): PropertyDecorator {
  return (target, property) => decorators.forEach((decorate) => decorate(target, property));
}

const VARIABLES = new Set([
  ...Object.keys(new Environment()),
  'DEDUPE_TTL_SECONDS',
  'DELIVERY_QUEUES',
  'API_TOKEN',
  'ADMIN_TOKEN',
  'METRICS_TOKEN',
  'WEBHOOK_SECRET',
  'SMTP_URL',
  'DNS_SERVERS',
  'REDIS_CLUSTER_NODES',
  'REDIS_SENTINELS',
  'REDIS_SENTINEL_MASTER',
  'REDIS_USERNAME',
  'REDIS_PASSWORD',
]);

export class InvalidConfigurationError extends Error {
  override readonly name = 'InvalidConfigurationError';
}

/** Validates raw variables (empty strings count as unset) into a typed Environment. */
export function validateEnvironment(raw: Record<string, unknown>): Environment {
  const present = Object.fromEntries(
    Object.entries(raw).filter(([name, value]) => VARIABLES.has(name) && value !== ''),
  );
  const environment = plainToInstance(Environment, present, { exposeDefaultValues: true });
  const problems = validateSync(environment, { whitelist: false }).flatMap(describe);
  problems.push(
    ...missingTokens(environment),
    ...sharedTokens(environment),
    ...shortDedupeTtl(environment),
    ...longRetrySpan(environment),
    ...badDnsServers(environment),
    ...tooManyDeliveryQueues(environment),
    ...redisTopologyProblems(environment, 'REDIS_URL' in present),
  );
  if (problems.length > 0) {
    throw new InvalidConfigurationError(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
  return environment;
}

function describe(error: ValidationError): string[] {
  return Object.values(error.constraints ?? {});
}

function missingTokens(environment: Environment): string[] {
  if (environment.AUTH_DISABLED) return [];
  return (['API_TOKEN', 'ADMIN_TOKEN'] as const)
    .filter((name) => !environment[name])
    .map((name) => `${name} must be set (or AUTH_DISABLED=true, for local trials only)`);
}

/** Each token opens its own door: one that opens two would make the split pointless. */
function sharedTokens(environment: Environment): string[] {
  const { API_TOKEN, ADMIN_TOKEN, METRICS_TOKEN } = environment;
  const problems: string[] = [];
  if (API_TOKEN && API_TOKEN === ADMIN_TOKEN)
    problems.push('API_TOKEN and ADMIN_TOKEN must differ');
  if (METRICS_TOKEN && (METRICS_TOKEN === API_TOKEN || METRICS_TOKEN === ADMIN_TOKEN)) {
    problems.push('METRICS_TOKEN must differ from API_TOKEN and ADMIN_TOKEN');
  }
  return problems;
}

/** A claim must outlive every window that can see its occurrence again (SPEC 4, "Once"). */
function shortDedupeTtl(environment: Environment): string[] {
  const ttl = environment.DEDUPE_TTL_SECONDS;
  const windowSeconds = (environment.LOOKAHEAD_MINUTES + environment.CATCHUP_MINUTES) * 60;
  if (typeof ttl !== 'number' || ttl < MIN_DEDUPE_TTL_SECONDS || ttl > windowSeconds) return [];
  return [
    `DEDUPE_TTL_SECONDS must be more than (LOOKAHEAD_MINUTES + CATCHUP_MINUTES) * 60 = ${windowSeconds}`,
  ];
}

/**
 * Retry n waits RETRY_BACKOFF_MS x 2^(n-1): the waits of all retries add up to
 * RETRY_BACKOFF_MS x (2^(MAX_ATTEMPTS-1) - 1). Past a day the last retries would leave
 * notifications of another day (and, large enough, delays no timer can hold).
 */
export const MAX_RETRY_SPAN_MS = 24 * 3600 * 1000;

export function retrySpanMs(maxAttempts: number, retryBackoffMs: number): number {
  return retryBackoffMs * (2 ** (maxAttempts - 1) - 1);
}

function longRetrySpan(environment: Environment): string[] {
  const { MAX_ATTEMPTS, RETRY_BACKOFF_MS } = environment;
  if (!Number.isInteger(MAX_ATTEMPTS) || !Number.isInteger(RETRY_BACKOFF_MS)) return [];
  const span = retrySpanMs(MAX_ATTEMPTS, RETRY_BACKOFF_MS);
  if (span <= MAX_RETRY_SPAN_MS) return [];
  return [
    `MAX_ATTEMPTS and RETRY_BACKOFF_MS: the retries would wait ${Math.round(span / 1000)} s in all ` +
      `(RETRY_BACKOFF_MS x (2^(MAX_ATTEMPTS-1) - 1)); at most ${MAX_RETRY_SPAN_MS / 1000} s (a day) is allowed`,
  ];
}

/**
 * The delivery queues: one per group of buckets, each in the slot of its first bucket, so
 * that on a cluster they sit on several masters. Four spread over a 3-master cluster's
 * nodes; more add workers and connections to every replica for little.
 */
export const DEFAULT_DELIVERY_QUEUES = 4;

export function deliveryQueueCount(environment: Environment): number {
  return (
    environment.DELIVERY_QUEUES ?? Math.min(DEFAULT_DELIVERY_QUEUES, environment.REDIS_BUCKETS)
  );
}

/** A queue serves the buckets b with b mod DELIVERY_QUEUES = its number: none may be empty. */
function tooManyDeliveryQueues(environment: Environment): string[] {
  const { DELIVERY_QUEUES, REDIS_BUCKETS } = environment;
  if (!Number.isInteger(DELIVERY_QUEUES) || !Number.isInteger(REDIS_BUCKETS)) return [];
  if (DELIVERY_QUEUES! <= REDIS_BUCKETS) return [];
  return [
    `DELIVERY_QUEUES (${DELIVERY_QUEUES}) must not exceed REDIS_BUCKETS (${REDIS_BUCKETS}): each queue serves a group of buckets`,
  ];
}

/** The servers of DNS_SERVERS, each `ip`, `ip:port` or `[ipv6]:port`; empty when unset. */
export function dnsServerList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

function badDnsServers(environment: Environment): string[] {
  const bad = dnsServerList(environment.DNS_SERVERS).filter((entry) => !isDnsServer(entry));
  if (bad.length === 0) return [];
  return [`DNS_SERVERS must be comma-separated ip, ip:port or [ipv6]:port; not ${bad.join(', ')}`];
}

function isDnsServer(entry: string): boolean {
  if (isIP(entry)) return true;
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(entry);
  if (!match || Number(match[3]) < 1 || Number(match[3]) > 65535) return false;
  return match[1] ? isIP(match[1]) === 6 : isIP(match[2]) === 4;
}
