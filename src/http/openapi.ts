// OpenAPI 3.1 at /openapi.json, interactive docs at /docs. Operation ids and tags come from the
// catalogue in operations.ts, and the problem+json answers every route shares (see
// shared-problems.ts) are added here, so route files document only what is particular to them.
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { OPERATIONS, operationKey } from './operations.js';
import { ProblemSchema } from './schemas.js';
import { documentResponses } from './shared-problems.js';

export async function registerOpenApi(app: FastifyInstance, version: string): Promise<void> {
  app.addSchema(ProblemSchema);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Stampede API',
        version,
        description:
          'Real-time competition server. Errors are RFC 9457 problem+json with a stable `code`. ' +
          'POST requests honour `Idempotency-Key`. Realtime events use Socket.IO on the same port.',
      },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, index) => (typeof json.$id === 'string' ? json.$id : `def-${index}`) },
    // Documentation only: the route's own schema, which validates and serializes, is left alone.
    transform: ({ schema, url, route }) => {
      if (!schema || schema.hide) return { schema, url };
      const method = [route.method].flat()[0]!;
      const operation = OPERATIONS[operationKey(method, url)];
      return {
        url,
        schema: {
          ...schema,
          ...(operation ? { operationId: operation.operationId, tags: [operation.tag] } : {}),
          response: documentResponses(route, schema.response as Record<string, unknown> | undefined),
        },
      };
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
  app.get('/openapi.json', { schema: { hide: true }, config: { rateLimit: 'none' } }, async () => app.swagger());
}
