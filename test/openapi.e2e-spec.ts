import { createConfig, lintFromString } from '@redocly/openapi-core';
import { ChimeProcess, startChime } from './support/chime-process.js';
import { request } from './support/http.js';

async function redoclyProblems(chime: ChimeProcess): Promise<string[]> {
  const document = await request(chime.baseUrl, 'GET', '/docs-json');
  const config = await createConfig({
    extends: ['recommended'],
    rules: {
      'no-invalid-media-type-examples': 'error',
      'no-invalid-schema-examples': 'error',
      // Liveness and readiness probes have no client errors to describe.
      'operation-4xx-response': 'off',
    },
  });
  const problems = await lintFromString({
    source: JSON.stringify(document.body),
    absoluteRef: `${chime.baseUrl}/docs-json`,
    config,
  });
  return problems.map(
    (problem) =>
      `${problem.severity} ${problem.ruleId}: ${problem.message} at ${problem.location[0]?.pointer}`,
  );
}

describe('OpenAPI document', () => {
  let chime: ChimeProcess;

  beforeAll(async () => {
    chime = await startChime();
  });

  afterAll(async () => {
    await chime.stop();
  });

  it('serves Swagger UI at /docs', async () => {
    const answer = await request(chime.baseUrl, 'GET', '/docs');
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('swagger-ui');
  });

  it("passes Redocly's recommended rules, its examples valid against its schemas", async () => {
    expect(await redoclyProblems(chime)).toEqual([]);
  });

  it('passes them too with METRICS_TOKEN set (/metrics then takes the metricsToken scheme)', async () => {
    const guarded = await startChime({ METRICS_TOKEN: 'test-metrics-token-0123456789' });
    try {
      expect(await redoclyProblems(guarded)).toEqual([]);
    } finally {
      await guarded.stop();
    }
  });

  it('documents every subscription route with its bearer token', async () => {
    const { body } = await request(chime.baseUrl, 'GET', '/docs-json');
    const item = body.paths['/subscriptions/{userId}/{tag}'];
    expect(Object.keys(item).sort()).toEqual(['delete', 'get', 'patch', 'put']);
    expect(item.put.security).toEqual([{ apiToken: [] }]);
    expect(Object.keys(body.paths['/subscriptions/{userId}']).sort()).toEqual(['delete', 'get']);
    expect(body.paths['/admin/health'].get.security).toEqual([{ adminToken: [] }]);
  });

  it('documents the policy, preview, history and erase routes (SPEC 2, 7) with the API token', async () => {
    const { body } = await request(chime.baseUrl, 'GET', '/docs-json');
    const routes = {
      '/users/{userId}/policy': ['delete', 'get', 'put'],
      '/users/{userId}': ['delete'],
      '/subscriptions/{userId}/{tag}/preview': ['get'],
      '/subscriptions/{userId}/{tag}/occurrences': ['get'],
    };
    for (const [path, methods] of Object.entries(routes)) {
      expect(Object.keys(body.paths[path]).sort()).toEqual(methods);
      for (const method of methods) {
        expect(body.paths[path][method].security).toEqual([{ apiToken: [] }]);
      }
    }
    const fields = body.components.schemas.SubscriptionResponse.properties;
    for (const field of ['critical', 'maxLatenessMinutes', 'skipDates', 'dst']) {
      expect(fields[field]).toBeDefined();
    }
    expect(
      body.paths['/users/{userId}/policy'].put.requestBody.content['application/json'].examples,
    ).toBeDefined();
  });
});
