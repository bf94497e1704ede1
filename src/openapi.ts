import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';

/** The OpenAPI document served at /docs-json: every route, with examples and security. */
export function createOpenApiDocument(app: INestApplication, version: string): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('chime')
    .setDescription(
      'Sends each user the notifications they subscribed to, every day at the local time they chose.',
    )
    .setVersion(version)
    .setLicense('MIT', 'https://opensource.org/licenses/MIT')
    .addServer('/')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'API_TOKEN' }, 'apiToken')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'ADMIN_TOKEN' }, 'adminToken')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  markPublicOperations(document);
  return document;
}

/** Routes without a bearer requirement say so explicitly (`security: []`). */
function markPublicOperations(document: OpenAPIObject): void {
  for (const pathItem of Object.values(document.paths)) {
    for (const method of ['get', 'put', 'post', 'patch', 'delete'] as const) {
      const operation = pathItem[method];
      if (operation && !operation.security?.length) operation.security = [];
    }
  }
}
