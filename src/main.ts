import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { ConfigService } from '@nestjs/config';
import { AppModule } from './app.module.js';
import { BODY_LIMIT_BYTES, MAX_PARAM_LENGTH, setUpApp } from './app.setup.js';
import { InvalidConfigurationError } from './config/environment.js';

async function bootstrap(): Promise<void> {
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, adapter);
  await setUpApp(app);
  await app.listen(app.get(ConfigService).getOrThrow<number>('app.port'), '0.0.0.0');
}

bootstrap().catch((error: unknown) => {
  if (error instanceof InvalidConfigurationError) {
    console.error(error.message);
  } else {
    console.error(error);
  }
  process.exit(1);
});
