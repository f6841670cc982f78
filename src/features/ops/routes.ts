// Liveness, readiness, Prometheus metrics and the admin's JSON view of the same figures.
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requireRole } from '../../http/auth.js';
import type { Platform } from '../../platform/index.js';
import type { Role } from '../../platform/db/schema.js';
import { collectStats, refreshGauges } from './stats.js';

const READY_CHECK_TIMEOUT_MS = 1_000;

async function check(probe: () => Promise<unknown>): Promise<'ok' | 'failed'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), READY_CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([probe(), timeout]);
    return 'ok';
  } catch {
    return 'failed';
  } finally {
    clearTimeout(timer);
  }
}

export const opsRoutes =
  (platform: Platform, currentRole: (userId: string) => Promise<Role | undefined>, isShuttingDown: () => boolean): FastifyPluginAsyncTypebox =>
  async (app) => {
    const ops = { tags: ['ops'] };

    app.get('/health', { schema: { ...ops, summary: 'Liveness' } }, async () => ({ status: 'ok' }));

    app.get('/health/ready', { schema: { ...ops, summary: 'Readiness: database, Redis and breakers' } }, async (_request, reply) => {
      const [postgres, redis] = await Promise.all([
        check(() => platform.database.ping()),
        check(async () => {
          if (!(await platform.redisHealthy())) throw new Error('redis down');
        }),
      ]);
      const breakers = { postgres: platform.breakers.postgres.state(), redis: platform.breakers.redis.state() };
      // Redis down is degraded, not unready: the in-process fallbacks keep serving.
      const ready = !isShuttingDown() && postgres === 'ok' && breakers.postgres !== 'open';
      return reply.code(ready ? 200 : 503).send({
        status: ready ? (redis === 'ok' ? 'ready' : 'degraded') : 'unavailable',
        checks: { database: { kind: platform.database.kind, status: postgres }, redis: platform.redis ? redis : 'not-configured', breakers },
        shuttingDown: isShuttingDown(),
      });
    });

    app.get('/metrics', { schema: { ...ops, summary: 'Prometheus metrics' } }, async (_request, reply) => {
      await refreshGauges(platform);
      return reply.type(platform.metrics.registry.contentType).send(await platform.metrics.registry.metrics());
    });

    app.get(
      '/api/admin/stats',
      {
        config: { rateLimit: 'admin' },
        preHandler: requireRole(currentRole, 'admin'),
        schema: { ...ops, summary: 'Operational figures as JSON (admin)', security: [{ bearerAuth: [] }], response: { 200: Type.Any() } },
      },
      async () => collectStats(platform),
    );
  };
