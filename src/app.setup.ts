import { Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import { createOpenApiDocument } from './openapi.js';
import { BodyValidationPipe } from './common/body-validation.pipe.js';
import { JsonObjectBodyPipe } from './common/json-object-body.pipe.js';
import { cacheValidationMetadata } from './common/validation-metadata-cache.js';
import { ChannelRegistry } from './channels/channel.registry.js';
import { channelFieldsCheck } from './subscriptions/dto/channel-fields.check.js';
import { closeOnSignals } from './shutdown.js';
import { protectQueueDashboard } from './admin/queue-dashboard.js';

/** SPEC 2: a body over 16 KiB is answered 413. */
export const BODY_LIMIT_BYTES = 16 * 1024;
/** Long enough that an over-long id reaches validation (400) rather than the router (404). */
export const MAX_PARAM_LENGTH = 1024;

/** Pipes, parsers, shutdown hooks and the OpenAPI document: everything but listening. */
export async function setUpApp(app: NestFastifyApplication): Promise<void> {
  cacheValidationMetadata();
  app.useGlobalPipes(
    new JsonObjectBodyPipe(),
    new BodyValidationPipe([channelFieldsCheck(app.get(ChannelRegistry))]),
  );
  closeOnSignals(app);
  protectQueueDashboard(app);
  const config = app.get(ConfigService);
  const document = createOpenApiDocument(app, {
    version: config.getOrThrow('app.version'),
    metricsTokenSet: config.get<string>('auth.metricsToken') !== undefined,
  });
  SwaggerModule.setup('docs', app, document);
  await app.init();
  acceptJsonOnly(app);
  if (config.get<boolean>('auth.disabled')) {
    new Logger('Auth').warn('AUTH_DISABLED=true: every route is open. For local trials only.');
  }
}

/**
 * Other media types are then answered 415 by Fastify itself. JSON is parsed as JSON.parse
 * does, keeping `__proto__` and `constructor` as own keys (Fastify's default refuses such a
 * body as "not valid JSON"), so that BodyValidationPipe can name them as unknown keys: it
 * takes them out before anything assigns the body's keys to an object.
 */
function acceptJsonOnly(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  for (const mediaType of ['text/plain', 'application/x-www-form-urlencoded']) {
    if (fastify.hasContentTypeParser(mediaType)) fastify.removeContentTypeParser(mediaType);
  }
  fastify.removeContentTypeParser('application/json');
  const parseJson = fastify.getDefaultJsonParser('ignore', 'ignore');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, parseJson);
}
