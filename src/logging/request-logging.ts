import type { IncomingMessage } from 'node:http';
import {
  LogController,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
} from 'fastify';
import type { Logger } from 'pino';
import { REQUEST_ID_HEADER, requestIdFrom } from './request-id.js';

/** One line per request, when it completes: method, url, status, time taken, request id. */
class CompletionLogController extends LogController {
  override incomingRequest(): void {
    // The completion line says all of it, once.
  }

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const fields = { req: request, res: reply, responseTime: Math.round(reply.elapsedTime) };
    if (error) reply.log.error({ ...fields, err: error }, 'request errored');
    else reply.log.info(fields, 'request completed');
  }
}

/** Fastify options that log every request through `logger`, under a request id (`reqId`). */
export function requestLoggingOptions(
  logger: Logger,
): Pick<FastifyServerOptions, 'loggerInstance' | 'genReqId' | 'logController'> {
  return {
    loggerInstance: logger,
    genReqId: (request: IncomingMessage) => requestIdFrom(request.headers[REQUEST_ID_HEADER]),
    logController: new CompletionLogController(),
  };
}

/** Answers every request, errors and 404s included, with its id in `x-request-id`. */
export function echoRequestId(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
}
