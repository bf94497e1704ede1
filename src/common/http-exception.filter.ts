import { randomUUID } from 'node:crypto';
import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { STATUS_CODES } from 'node:http';
import { DomainError } from './domain-error.js';

interface ErrorBody {
  statusCode: number;
  error: string;
  message: unknown;
  code?: string;
  correlationId?: string;
}

/**
 * Every error leaves as `{statusCode, error, message}`. Domain errors keep their code;
 * anything unexpected is a 500 with a correlation id to find it in the logs, and no internals.
 */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(HttpExceptionFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const body = this.toBody(exception);
    reply.status(body.statusCode).send(body);
  }

  private toBody(exception: unknown): ErrorBody {
    if (exception instanceof DomainError) {
      const message = exception.details ?? exception.message;
      return { ...base(exception.status), message, code: exception.code };
    }
    if (exception instanceof HttpException) return fromHttpException(exception);
    const correlationId = randomUUID();
    this.logger.error({ correlationId, err: exception }, 'unhandled error');
    return { ...base(500), message: 'Internal server error', correlationId };
  }
}

function base(statusCode: number): Pick<ErrorBody, 'statusCode' | 'error'> {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error' };
}

function fromHttpException(exception: HttpException): ErrorBody {
  const status = exception.getStatus();
  const response = exception.getResponse();
  if (typeof response === 'string') return { ...base(status), message: response };
  const { message = exception.message, error } = response as { message?: unknown; error?: string };
  return { ...base(status), ...(error ? { error } : {}), message };
}
