// The operational figures, read from the same prom-client metrics that /metrics exports, so the
// JSON view and the Prometheus view can never disagree.
import type { Platform } from '../../platform/index.js';
import { JOB_DEFAULTS } from '../../platform/jobs/memory.js';

type Sample = { labels: Record<string, string | number>; value: number; metricName?: string };

async function samples(platform: Platform, name: string): Promise<Sample[]> {
  const metric = platform.metrics.registry.getSingleMetric(name);
  return metric ? ((await metric.get()).values as Sample[]) : [];
}

function byLabel(values: Sample[], label: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const sample of values) {
    const key = String(sample.labels[label] ?? 'all');
    out[key] = (out[key] ?? 0) + sample.value;
  }
  return out;
}

/** Refreshes the gauges that are sampled rather than pushed (pool sizes, queue depth), returning what it read. */
export async function refreshGauges(platform: Platform) {
  const pool = platform.database.poolStats();
  platform.metrics.dbPool.set({ state: 'total' }, pool.total);
  platform.metrics.dbPool.set({ state: 'idle' }, pool.idle);
  platform.metrics.dbPool.set({ state: 'waiting' }, pool.waiting);
  const replica = platform.database.replica;
  const lagMs = replica?.lagMs();
  if (replica) platform.metrics.replicaLag.set(lagMs === undefined ? Number.NaN : lagMs / 1000);
  // The job adapters own the queue gauges; asking for counts refreshes them (Redis may be down).
  const jobs = await platform.jobs.counts().catch(() => undefined);
  return { pool, jobs, replica: replica && { serving: replica.serving(), lagMs: lagMs ?? null, breaker: replica.breaker.state() } };
}

let lastCompleted: { at: number; completed: number } | undefined;

/** Each queue's counts and its completion rate since the previous read; the same figures go to /metrics. */
export async function queueStats(platform: Platform) {
  const counts = await platform.jobs.counts();
  const now = Date.now();
  const rate =
    lastCompleted && now > lastCompleted.at ? Math.max(0, (counts.completed - lastCompleted.completed) / ((now - lastCompleted.at) / 1000)) : 0;
  lastCompleted = { at: now, completed: counts.completed };
  const queue = JOB_DEFAULTS.queueName;
  for (const [state, value] of Object.entries(counts)) platform.metrics.jobQueueJobs.set({ queue, state }, value);
  platform.metrics.jobQueueRate.set({ queue }, rate);
  return { queues: [{ name: queue, ...counts, completedPerSecond: rate }] };
}

/** The pool, the breaker and statement time percentiles over the last minute. */
export async function dbStats(platform: Platform) {
  const { pool, replica } = await refreshGauges(platform);
  const quantiles = await samples(platform, 'db_query_duration_seconds');
  const quantile = (q: number) => {
    const value = quantiles.find((sample) => sample.labels.quantile === q)?.value;
    return value === undefined || Number.isNaN(value) ? null : value * 1000;
  };
  return {
    database: platform.database.kind,
    pool,
    breaker: platform.breakers.postgres.state(),
    queryMs: { p50: quantile(0.5), p95: quantile(0.95), p99: quantile(0.99) },
    replica: replica ?? null,
  };
}

export async function collectStats(platform: Platform) {
  const { pool, jobs } = await refreshGauges(platform);
  const requests = await samples(platform, 'http_requests_total');
  const lag = await samples(platform, 'nodejs_eventloop_lag_seconds');
  return {
    requests: { total: requests.reduce((sum, s) => sum + s.value, 0), byStatus: byLabel(requests, 'status') },
    rateLimitRejections: byLabel(await samples(platform, 'rate_limit_rejections_total'), 'policy'),
    breakers: {
      state: { postgres: platform.breakers.postgres.state(), redis: platform.breakers.redis.state() },
      opens: byLabel(await samples(platform, 'circuit_breaker_opens_total'), 'breaker'),
    },
    fallbacks: byLabel(await samples(platform, 'fallback_used_total'), 'port'),
    dbPool: pool,
    cache: {
      hits: byLabel(await samples(platform, 'cache_hits_total'), 'cache'),
      misses: byLabel(await samples(platform, 'cache_misses_total'), 'cache'),
    },
    websocketConnections: (await samples(platform, 'websocket_connections'))[0]?.value ?? 0,
    jobs: jobs ?? null,
    eventLoopLagSeconds: lag[0]?.value ?? 0,
    storage: { database: platform.database.kind, redis: Boolean(platform.redis) },
  };
}

/** The Prometheus exposition, with the sampled gauges fresh; only the metrics named, when names are given. */
export async function scrapeMetrics(platform: Platform, names?: string[]): Promise<string> {
  await refreshGauges(platform);
  const { registry } = platform.metrics;
  if (!names) return registry.metrics();
  // In the order asked: a gauge set by another's collect (the event-loop delay percentiles, set
  // when nodejs_eventloop_lag_seconds is collected) is fresh when asked for after that one.
  const known = names.filter((name) => registry.getSingleMetric(name) !== undefined);
  const texts = [];
  for (const name of known) texts.push(await registry.getSingleMetricAsString(name));
  return texts.map((text) => `${text}\n`).join('');
}
