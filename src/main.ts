import 'reflect-metadata';
import cluster from 'node:cluster';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { ConfigService } from '@nestjs/config';
import type { Logger } from 'pino';
import { AppModule } from './app.module.js';
import { BODY_LIMIT_BYTES, MAX_PARAM_LENGTH, setUpApp } from './app.setup.js';
import { runPrimary } from './cluster-primary.js';
import { appConfig } from './config/configuration.js';
import { InvalidConfigurationError } from './config/environment.js';
import { fastifyTrustProxy } from './config/trust-proxy.js';
import { createLogger } from './logging/logger.factory.js';
import { NestPinoLogger } from './logging/nest-pino.logger.js';
import { echoRequestId, requestLoggingOptions } from './logging/request-logging.js';

type AppSettings = ReturnType<typeof appConfig>;

async function bootstrap(logger: Logger, settings: AppSettings): Promise<void> {
  const adapter = new FastifyAdapter({
    ...requestLoggingOptions(logger),
    // request.ip, the rate limit's key, comes from X-Forwarded-For only through trusted hops.
    trustProxy: fastifyTrustProxy(settings.trustProxy),
    bodyLimit: BODY_LIMIT_BYTES,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
  });
  echoRequestId(adapter.getInstance());
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, adapter, {
    logger: new NestPinoLogger(logger),
  });
  await setUpApp(app);
  await app.listen(app.get(ConfigService).getOrThrow<number>('app.port'), '0.0.0.0');
}

/**
 * Importing AppModule has read `.env` (ConfigModule.forRoot), so LOG_LEVEL and TRUST_PROXY
 * may come from it.
 */
function readSettings(): AppSettings {
  try {
    return appConfig();
  } catch (error) {
    console.error(error instanceof InvalidConfigurationError ? error.message : error);
    process.exit(1);
  }
}

const settings = readSettings();
const logger = createLogger(settings.logLevel);
// WORKERS > 1: this process forks the workers, each of which runs the lines below.
if (cluster.isPrimary && settings.workers > 1) {
  runPrimary(settings.workers, logger);
} else {
  bootstrap(logger, settings).catch((error: unknown) => {
    logger.fatal({ err: error }, 'chime failed to start');
    process.exit(1);
  });
}
