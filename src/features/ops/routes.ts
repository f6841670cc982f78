// Liveness, readiness, Prometheus metrics and the admin's JSON view of a subset of them.
import { timingSafeEqual } from 'node:crypto';
import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { preValidationAsyncHookHandler } from 'fastify';
import { AppError } from '../../errors.js';
import { withProblems } from '../../http/schemas.js';
import {
  DbStatsSchema,
  FailedJobSchema,
  JobCountsSchema,
  LivenessSchema,
  PrometheusText,
  QueueStatsSchema,
  ReadinessSchema,
  StatsSchema,
} from './schemas.js';
import type { Platform } from '../../platform/index.js';
import { collectStats, dbStats, queueStats, scrapeMetrics } from './stats.js';

const READY_CHECK_TIMEOUT_MS = 1_000;

/**
 * `?name=a,b`: only these metrics (unknown names are left out). A full scrape walks every open
 * socket and file descriptor (nodejs_active_handles, process_open_fds): about 25 ms at 10,000
 * sockets, too much for a client that samples one gauge several times a second.
 */
const MetricsQuery = Type.Object(
  { name: Type.Optional(Type.String({ pattern: '^[a-zA-Z_:][a-zA-Z0-9_:]*(,[a-zA-Z_:][a-zA-Z0-9_:]*){0,19}$' })) },
  { additionalProperties: false },
);

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

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * /metrics on the public port: a scraper on this machine, or one presenting METRICS_TOKEN. A
 * request relayed by a proxy on this machine carries X-Forwarded-For and counts as remote.
 */
function allowScrape(token: string | undefined): preValidationAsyncHookHandler {
  const expected = token === undefined ? undefined : Buffer.from(`Bearer ${token}`);
  return async (request) => {
    if (LOOPBACK.has(request.socket.remoteAddress ?? '') && request.headers['x-forwarded-for'] === undefined) return;
    const presented = Buffer.from(request.headers.authorization ?? '');
    if (expected && presented.length === expected.length && timingSafeEqual(presented, expected)) return;
    throw new AppError('UNAUTHENTICATED', 'Scraping /metrics needs METRICS_TOKEN as a bearer token, a request from this machine, or METRICS_PORT');
  };
}

export const opsRoutes =
  (platform: Platform, isShuttingDown: () => boolean): FastifyPluginAsyncTypebox =>
  async (app) => {
    const ops = { tags: ['ops'] };

    app.get('/health', { schema: { ...ops, summary: 'Liveness', response: { 200: LivenessSchema } } }, async () => ({ status: 'ok' as const }));

    const readiness = { ...ops, summary: 'Readiness: database, Redis and breakers', response: { 200: ReadinessSchema, 503: ReadinessSchema } };
    app.get('/health/ready', { schema: readiness }, async (_request, reply) => {
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

    app.get(
      '/metrics',
      {
        preValidation: allowScrape(platform.config.metrics.token),
        schema: {
          ...ops,
          summary: 'Prometheus metrics (loopback or METRICS_TOKEN)',
          querystring: MetricsQuery,
          response: withProblems({ 200: PrometheusText }, 400, 401),
        },
      },
      async (request, reply) => reply.type(platform.metrics.registry.contentType).send(await scrapeMetrics(platform, request.query.name?.split(','))),
    );

    app.get(
      '/api/admin/stats',
      {
        config: { rateLimit: 'admin', auth: ['admin'] },
        schema: { ...ops, summary: 'Operational figures as JSON (admin)', response: withProblems({ 200: StatsSchema }, 401, 403) },
      },
      async () => collectStats(platform),
    );

    const admin = { config: { rateLimit: 'admin' as const, auth: ['admin' as const] } };

    app.get(
      '/api/admin/queue-stats',
      {
        ...admin,
        schema: {
          ...ops,
          summary: "Each job queue's waiting, active, delayed, failed and completed counts, and its rate (admin)",
          response: withProblems({ 200: QueueStatsSchema }, 401, 403),
        },
      },
      async () => queueStats(platform),
    );

    app.get(
      '/api/admin/db-stats',
      {
        ...admin,
        schema: {
          ...ops,
          summary: "The database pool, the breaker's state and statement time percentiles (admin)",
          response: withProblems({ 200: DbStatsSchema }, 401, 403),
        },
      },
      async () => dbStats(platform),
    );

    app.get(
      '/api/admin/jobs/failed',
      {
        ...admin,
        schema: {
          ...ops,
          summary: 'Jobs that ran out of attempts: the dead-letter set (admin)',
          querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }) }),
          response: withProblems({ 200: Type.Object({ counts: JobCountsSchema, jobs: Type.Array(FailedJobSchema) }) }, 401, 403),
        },
      },
      async (request) => {
        const jobs = await platform.jobs.failed(request.query.limit);
        // Every job is added with an object payload (or none); the port keeps it opaque.
        return {
          counts: await platform.jobs.counts(),
          jobs: jobs.map((job) => ({ ...job, data: (job.data ?? null) as Record<string, unknown> | null })),
        };
      },
    );

    app.post(
      '/api/admin/jobs/:id/retry',
      {
        ...admin,
        schema: {
          ...ops,
          summary: 'Move a failed job back to the queue with fresh attempts (admin)',
          params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) }),
          response: withProblems({ 202: Type.Object({ id: Type.String(), status: Type.Literal('queued') }) }, 401, 403, 404),
        },
      },
      async (request, reply) => {
        if (!(await platform.jobs.retryFailed(request.params.id))) throw new AppError('NOT_FOUND', `No failed job ${request.params.id}`);
        return reply.code(202).send({ id: request.params.id, status: 'queued' as const });
      },
    );
  };
