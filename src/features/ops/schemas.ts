// Response schemas of the operational endpoints.
import { Type } from 'typebox';
import { JsonObject } from '../../http/schemas.js';

const Counts = (description: string) => Type.Record(Type.String(), Type.Number(), { description });
const BreakerState = Type.Union([Type.Literal('closed'), Type.Literal('half-open'), Type.Literal('open')]);

export const JobCountsSchema = Type.Object({
  waiting: Type.Integer(),
  delayed: Type.Integer(),
  active: Type.Integer(),
  failed: Type.Integer(),
  completed: Type.Integer(),
});

export const FailedJobSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  data: Type.Union([JsonObject("The job's payload; its keys depend on name"), Type.Null()]),
  attemptsMade: Type.Integer(),
  failedReason: Type.Optional(Type.String()),
});

/** A subset of what /metrics exports, read from the same metrics. */
export const StatsSchema = Type.Object({
  requests: Type.Object({ total: Type.Number(), byStatus: Counts('HTTP requests by status code') }),
  rateLimitRejections: Counts('Rejections by policy'),
  breakers: Type.Object({
    state: Type.Object({ postgres: BreakerState, redis: BreakerState }),
    opens: Counts('Times each breaker opened'),
  }),
  fallbacks: Counts('Fallbacks to memory by port'),
  dbPool: Type.Object({ total: Type.Integer(), idle: Type.Integer(), waiting: Type.Integer() }),
  cache: Type.Object({ hits: Counts('Hits by cache'), misses: Counts('Misses by cache') }),
  websocketConnections: Type.Integer(),
  jobs: Type.Union([JobCountsSchema, Type.Null()], { description: 'null when the queue could not be read' }),
  eventLoopLagSeconds: Type.Number(),
  storage: Type.Object({ database: Type.String(), redis: Type.Boolean() }),
});

export const LivenessSchema = Type.Object({ status: Type.Literal('ok') });

const CheckStatus = Type.Union([Type.Literal('ok'), Type.Literal('failed')]);

export const ReadinessSchema = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('degraded'), Type.Literal('unavailable')]),
  checks: Type.Object({
    database: Type.Object({ kind: Type.String(), status: CheckStatus }),
    redis: Type.Union([CheckStatus, Type.Literal('not-configured')]),
    breakers: Type.Object({ postgres: BreakerState, redis: BreakerState }),
  }),
  shuttingDown: Type.Boolean(),
});

export const PrometheusText = {
  description: 'Prometheus text exposition format',
  content: { 'text/plain': { schema: Type.String() } },
};

const Ms = Type.Union([Type.Number(), Type.Null()], { description: 'Milliseconds; null before any statement ran in the last minute' });

export const QueueStatsSchema = Type.Object({
  queues: Type.Array(
    Type.Object({
      name: Type.String(),
      waiting: Type.Integer(),
      delayed: Type.Integer(),
      active: Type.Integer(),
      failed: Type.Integer(),
      completed: Type.Integer(),
      completedPerSecond: Type.Number({ description: 'Since the previous read of these figures' }),
    }),
  ),
});

export const DbStatsSchema = Type.Object({
  database: Type.String(),
  pool: Type.Object({ total: Type.Integer(), idle: Type.Integer(), waiting: Type.Integer() }),
  breaker: BreakerState,
  queryMs: Type.Object({ p50: Ms, p95: Ms, p99: Ms }, { description: 'Statement time percentiles over the last minute' }),
  replica: Type.Union(
    [
      Type.Object({
        serving: Type.Boolean({ description: 'Whether public reads go to the replica now' }),
        lagMs: Type.Union([Type.Number(), Type.Null()], { description: 'Behind the primary, ms; null while it cannot be measured' }),
        breaker: BreakerState,
      }),
      Type.Null(),
    ],
    { description: "DATABASE_READ_URL's replica; null without one" },
  ),
});
