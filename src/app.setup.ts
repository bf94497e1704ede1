import { Logger, ValidationPipe } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import { createOpenApiDocument } from './openapi.js';
import { JsonObjectBodyPipe } from './common/json-object-body.pipe.js';
import { closeOnSignals } from './shutdown.js';
import { protectQueueDashboard } from './admin/queue-dashboard.js';

/** SPEC 2: a body over 16 KiB is answered 413. */
export const BODY_LIMIT_BYTES = 16 * 1024;
/** Long enough that an over-long id reaches validation (400) rather than the router (404). */
export const MAX_PARAM_LENGTH = 1024;

/** Pipes, parsers, shutdown hooks and the OpenAPI document: everything but listening. */
export async function setUpApp(app: NestFastifyApplication): Promise<void> {
  app.useGlobalPipes(
    new JsonObjectBodyPipe(),
    new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }),
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

/** Other media types are then answered 415 by Fastify itself. */
function acceptJsonOnly(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  for (const mediaType of ['text/plain', 'application/x-www-form-urlencoded']) {
    if (fastify.hasContentTypeParser(mediaType)) fastify.removeContentTypeParser(mediaType);
  }
}
