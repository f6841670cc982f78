// The operations dashboard's feed: once a second, the server's own metrics (the same prom-client
// registry /metrics exports) turned into rates and percentiles over that second, pushed to the
// admin-only `ops:live` channel. Each instance pushes its own figures, tagged with its instance id.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Platform } from '../../platform/index.js';
import type { Push } from '../../platform/push/port.js';
import { refreshGauges } from './stats.js';

export const OPS_CHANNEL = 'ops:live';
export const OPS_INTERVAL_MS = 1000;

type Sample = { labels: Record<string, string | number>; value: number; metricName?: string };

/** Cumulative counters read at one instant; a pushed figure is the difference of two of these. */
interface Totals {
  at: number;
  requests: number;
  errors: number;
  tooMany: number;
  buckets: Map<number, number>;
  cacheHits: number;
  cacheMisses: number;
  registrations: number;
  actions: number;
}

export interface OpsSample {
  instance: string;
  at: number;
  requestsPerSecond: number;
  errorsPerSecond: number;
  /** Seconds, from the latency histogram's buckets over the last interval; null without requests. */
  p50: number | null;
  p95: number | null;
  dbPool: { total: number; idle: number; waiting: number; inUse: number };
  /** Hits / (hits + misses) over the interval; null without lookups. */
  cacheHitRatio: number | null;
  breakers: { postgres: string; redis: string };
  tooManyPerMinute: number;
  queues: Record<string, number> | null;
  sockets: number;
  eventLoopLagSeconds: number;
  registrationsPerSecond: number;
  actionsPerSecond: number;
}

/**
 * The q-quantile of a Prometheus histogram's cumulative buckets (upper bound -> count), by linear
 * interpolation inside the bucket where it falls, as Prometheus' histogram_quantile does.
 */
export function quantileFromBuckets(buckets: Array<[number, number]>, q: number): number | null {
  const sorted = [...buckets].sort((a, b) => a[0] - b[0]);
  const total = sorted.at(-1)?.[1] ?? 0;
  if (total <= 0) return null;
  const rank = q * total;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const [bound, count] of sorted) {
    if (count >= rank) {
      if (!Number.isFinite(bound)) return lowerBound;
      return Math.min(bound, lowerBound + ((bound - lowerBound) * (rank - lowerCount)) / Math.max(1, count - lowerCount));
    }
    lowerBound = bound;
    lowerCount = count;
  }
  return lowerBound;
}

const sum = (values: Sample[], filter: (sample: Sample) => boolean = () => true) => values.filter(filter).reduce((total, s) => total + s.value, 0);

async function read(platform: Platform, name: string): Promise<Sample[]> {
  const metric = platform.metrics.registry.getSingleMetric(name);
  return metric ? ((await metric.get()).values as Sample[]) : [];
}

async function totals(platform: Platform): Promise<Totals> {
  const requests = await read(platform, 'http_requests_total');
  const buckets = new Map<number, number>();
  for (const sample of await read(platform, 'http_request_duration_seconds')) {
    if (sample.metricName !== 'http_request_duration_seconds_bucket') continue;
    const le = sample.labels.le === '+Inf' ? Infinity : Number(sample.labels.le);
    buckets.set(le, (buckets.get(le) ?? 0) + sample.value);
  }
  return {
    at: Date.now(),
    requests: sum(requests),
    errors: sum(requests, (s) => Number(s.labels.status) >= 500),
    tooMany: sum(requests, (s) => Number(s.labels.status) === 429),
    buckets,
    cacheHits: sum(await read(platform, 'cache_hits_total')),
    cacheMisses: sum(await read(platform, 'cache_misses_total')),
    registrations: sum(await read(platform, 'registration_changes_total')),
    actions: sum(await read(platform, 'actions_total'), (s) => s.labels.result === 'recorded'),
  };
}

export function createOpsFeed({ platform, push, log }: { platform: Platform; push: Push; log: Logger }) {
  const instance = randomUUID().slice(0, 8);
  let previous: Totals | undefined;
  let timer: NodeJS.Timeout | undefined;

  async function tick(): Promise<void> {
    const { pool, jobs } = await refreshGauges(platform);
    const now = await totals(platform);
    const before = previous ?? now;
    previous = now;
    const seconds = Math.max(0.001, (now.at - before.at) / 1000);
    const rate = (key: 'requests' | 'errors' | 'tooMany' | 'registrations' | 'actions') => (now[key] - before[key]) / seconds;
    const interval = [...now.buckets].map(([le, count]): [number, number] => [le, count - (before.buckets.get(le) ?? 0)]);
    const lookups = now.cacheHits - before.cacheHits + (now.cacheMisses - before.cacheMisses);
    const lag = await read(platform, 'nodejs_eventloop_lag_seconds');
    const sample: OpsSample = {
      instance,
      at: now.at,
      requestsPerSecond: rate('requests'),
      errorsPerSecond: rate('errors'),
      p50: quantileFromBuckets(interval, 0.5),
      p95: quantileFromBuckets(interval, 0.95),
      dbPool: { ...pool, inUse: pool.total - pool.idle },
      cacheHitRatio: lookups > 0 ? (now.cacheHits - before.cacheHits) / lookups : null,
      breakers: { postgres: platform.breakers.postgres.state(), redis: platform.breakers.redis.state() },
      tooManyPerMinute: rate('tooMany') * 60,
      queues: jobs ? { ...jobs } : null,
      sockets: sum(await read(platform, 'websocket_connections')),
      eventLoopLagSeconds: lag[0]?.value ?? 0,
      registrationsPerSecond: rate('registrations'),
      actionsPerSecond: rate('actions'),
    };
    push.toChannel(OPS_CHANNEL, 'ops', sample);
  }

  return {
    start(): void {
      // A tick waits for the previous one (a slow queue count must not pile ticks up).
      const loop = () => {
        timer = setTimeout(() => {
          tick()
            .catch((error: unknown) => log.warn({ err: error }, 'ops feed tick failed'))
            .finally(() => timer && loop());
        }, OPS_INTERVAL_MS);
        timer.unref();
      };
      loop();
    },
    close(): void {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}
