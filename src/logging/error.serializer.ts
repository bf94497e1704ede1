import { pino } from 'pino';

/** Deeper than any error chime logs; below it, values are dropped rather than looked at. */
const MAX_DEPTH = 6;

/**
 * pino's error serializer, without the arguments of Redis commands. ioredis puts the failed
 * command on its errors (`command: {name, args}`, also inside `previousErrors` of a
 * MULTI), and those arguments are chime's data: webhook URLs, email addresses, whole
 * subscriptions. The command's name stays; its arguments never reach a log line.
 */
export function serializeError(value: unknown): unknown {
  return withoutCommandArguments(pino.stdSerializers.err(value as Error), 0);
}

function withoutCommandArguments(value: unknown, depth: number): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (depth > MAX_DEPTH) return '[Too deep]';
  if (Array.isArray(value)) return value.map((item) => withoutCommandArguments(item, depth + 1));
  const source =
    value instanceof Error ? (pino.stdSerializers.err(value) as unknown as object) : value;
  const copy: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(source)) {
    copy[key] =
      key === 'command' && isCommand(field)
        ? { name: field.name }
        : withoutCommandArguments(field, depth + 1);
  }
  return copy;
}

function isCommand(value: unknown): value is { name?: unknown; args?: unknown } {
  return typeof value === 'object' && value !== null && 'args' in value;
}

/** The fields that hold errors in chime's log calls (`err`, pino's own, and `error`). */
export const ERROR_SERIALIZERS = { err: serializeError, error: serializeError };
