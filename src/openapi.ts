import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { SECURITY_SCHEMES } from './access/require-token.decorator.js';

const METHODS = ['get', 'put', 'post', 'patch', 'delete'] as const;

export interface OpenApiOptions {
  readonly version: string;
  /** METRICS_TOKEN is set: /metrics takes it; unset, /metrics is public. */
  readonly metricsTokenSet: boolean;
}

/** The OpenAPI document served at /docs-json: every route, with examples and security. */
export function createOpenApiDocument(
  app: INestApplication,
  options: OpenApiOptions,
): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle('chime')
    .setDescription(
      'Sends each user the notifications they subscribed to, every day at the local time they chose.',
    )
    .setVersion(options.version)
    .setLicense('MIT', 'https://opensource.org/licenses/MIT')
    .addServer('/')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'API_TOKEN' }, 'apiToken')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'ADMIN_TOKEN' }, 'adminToken');
  if (options.metricsTokenSet) {
    builder.addBearerAuth(
      { type: 'http', scheme: 'bearer', description: 'METRICS_TOKEN' },
      SECURITY_SCHEMES.metrics,
    );
  }
  const document = SwaggerModule.createDocument(app, builder.build());
  if (!options.metricsTokenSet) openMetrics(document);
  markPublicOperations(document);
  return document;
}

/** Without METRICS_TOKEN, the routes that would take it are public: no scheme, no 401. */
function openMetrics(document: OpenAPIObject): void {
  for (const operation of operationsOf(document)) {
    const requirements = operation.security ?? [];
    if (!requirements.some((requirement) => SECURITY_SCHEMES.metrics in requirement)) continue;
    operation.security = [];
    delete operation.responses['401'];
  }
}

/** Routes without a bearer requirement say so explicitly (`security: []`). */
function markPublicOperations(document: OpenAPIObject): void {
  for (const operation of operationsOf(document)) {
    if (!operation.security?.length) operation.security = [];
  }
}

function operationsOf(document: OpenAPIObject) {
  return Object.values(document.paths).flatMap((pathItem) =>
    METHODS.flatMap((method) => (pathItem[method] ? [pathItem[method]] : [])),
  );
}
