import { Logger, ValidationPipe } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { JsonObjectBodyPipe } from './common/json-object-body.pipe.js';

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
  app.enableShutdownHooks();
  SwaggerModule.setup('docs', app, SwaggerModule.createDocument(app, openApiConfig()));
  await app.init();
  acceptJsonOnly(app);
  if (app.get(ConfigService).get<boolean>('auth.disabled')) {
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

function openApiConfig() {
  return new DocumentBuilder()
    .setTitle('chime')
    .setDescription(
      'Sends each user the notifications they subscribed to, every day at the local time they chose.',
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'API_TOKEN' }, 'apiToken')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'ADMIN_TOKEN' }, 'adminToken')
    .build();
}
