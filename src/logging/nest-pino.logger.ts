import type { LoggerService } from '@nestjs/common';
import type { Logger } from 'pino';

type PinoLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/**
 * Nest's `LoggerService` on chime's pino logger, so that `new Logger(Context).warn(...)`
 * writes the same JSON lines as Fastify, with `context` as a field. Follows Nest's calling
 * convention: the last string parameter is the context (the `Logger` appends it); a first
 * parameter that is an object is merged into the line, and an `Error` goes under `err`.
 */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: PinoLevel, message: unknown, params: unknown[]): void {
    if (!this.logger.isLevelEnabled(level)) return;
    const rest = [...params];
    const fields: Record<string, unknown> = {};
    if (rest.length > 0 && typeof rest.at(-1) === 'string') fields.context = rest.pop();
    // `logger.error(message, stack)`: Nest's own signature for an error with its stack.
    if (level === 'error' && typeof rest[0] === 'string' && isStack(rest[0])) {
      fields.stack = rest.shift();
    }
    if (message instanceof Error) {
      this.logger[level]({ ...fields, err: message }, message.message, ...rest);
    } else if (typeof message === 'object' && message !== null) {
      this.logger[level]({ ...fields, ...message }, ...(rest as [string?]));
    } else {
      this.logger[level](fields, String(message), ...rest);
    }
  }
}

function isStack(text: string): boolean {
  return /\n\s+at /.test(text);
}
