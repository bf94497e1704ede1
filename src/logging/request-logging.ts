import type { IncomingMessage } from 'node:http';
import {
  LogController,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
} from 'fastify';
import type { Logger } from 'pino';
import { unredacted } from './logger.factory.js';
import { REQUEST_ID_HEADER, requestIdFrom } from './request-id.js';

/** One line per request, when it completes: method, url, status, time taken, request id. */
class CompletionLogController extends LogController {
  /** `lines` writes a completed request's line, whose fields hold nothing to redact. */
  constructor(private readonly lines: Logger) {
    super();
  }

  override incomingRequest(): void {
    // The completion line says all of it, once.
  }

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const responseTime = Math.round(reply.elapsedTime);
    if (error) {
      reply.log.error({ req: request, res: reply, responseTime, err: error }, 'request errored');
      return;
    }
    // The fields Fastify's serializers give `req` and `res`, under the request's id.
    const req = {
      method: request.method,
      url: request.url,
      version: request.headers['accept-version'],
      host: request.host,
      remoteAddress: request.ip,
      remotePort: request.socket?.remotePort,
    };
    const res = { statusCode: reply.statusCode };
    this.lines.info({ reqId: request.id, req, res, responseTime }, 'request completed');
  }
}

/** Fastify options that log every request through `logger`, under a request id (`reqId`). */
export function requestLoggingOptions(
  logger: Logger,
): Pick<FastifyServerOptions, 'loggerInstance' | 'genReqId' | 'logController'> {
  return {
    loggerInstance: logger,
    genReqId: (request: IncomingMessage) => requestIdFrom(request.headers[REQUEST_ID_HEADER]),
    logController: new CompletionLogController(unredacted(logger)),
  };
}

/** Answers every request, errors and 404s included, with its id in `x-request-id`. */
export function echoRequestId(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
}
