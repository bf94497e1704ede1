import { pino, type DestinationStream, type LevelWithSilent, type Logger } from 'pino';
import { ERROR_SERIALIZERS } from './error.serializer.js';
import { maskSensitive } from './mask-sensitive.js';

/** Fields that hold secrets, wherever a log call puts them (top level or one level down). */
const SECRET_FIELDS = ['authorization', 'apiToken', 'adminToken', 'token', 'password', 'secret'];

/** pino `redact` paths: request headers, and every SECRET_FIELDS name. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
  '*.headers.authorization',
  '*.headers.cookie',
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((field) => `*.${field}`),
];

/**
 * chime's one logger: JSON lines to stdout (or `destination`), written off the request's path
 * (`sync: false`: a line leaves at once when no write is in flight, else with the next write;
 * pino writes what is left when the process exits), level names rather than
 * numbers, ISO timestamps, secrets redacted by path, errors without the arguments of Redis
 * commands (`serializeError`) and every line passed through `maskSensitive`. Fastify logs requests through it and Nest's `Logger` through
 * `NestPinoLogger`.
 */
export function createLogger(level: LevelWithSilent, destination?: DestinationStream): Logger {
  const stream = destination ?? pino.destination({ dest: 1, sync: false });
  const options = {
    level,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
    serializers: ERROR_SERIALIZERS,
    hooks: { streamWrite: maskSensitive },
  };
  const logger = pino(
    { ...options, redact: { paths: REDACTED_PATHS, censor: '[Redacted]' } },
    stream,
  );
  twins.set(logger, pino(options, stream));
  return logger;
}

const twins = new WeakMap<Logger, Logger>();

/**
 * The same logger without the redaction pass, for lines whose fields are chime's own and
 * hold none of REDACTED_PATHS (a request's completion line: method, url, status, time).
 * pino's redaction costs about 15 us a line, the most of a request's log line; the lines
 * are identical, and `maskSensitive` still runs over them. A logger that `createLogger`
 * did not make answers itself.
 */
export function unredacted(logger: Logger): Logger {
  return twins.get(logger) ?? logger;
}
