// One load run with autocannon: closed-loop, N connections, for a fixed time, 127.0.0.1 only.
import autocannon from 'autocannon';

export interface LoadOptions {
  url: string;
  path: string;
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  headers?: Record<string, string>;
  body?: string;
  /** Seconds measured. */
  duration: number;
  connections: number;
  /** Seconds of unmeasured load first, so the JIT and pools are warm. */
  warmup: number;
  /** Rewrites each request before it is sent (another user, a fresh identifier, another page). */
  setupRequest?: (request: DynamicRequest) => DynamicRequest;
  /** Sees every answer; setting it makes autocannon keep the bodies. Header names are lower case. */
  onResponse?: (status: number, body: string, headers: Record<string, string>) => void;
}

export interface DynamicRequest {
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface LoadResult {
  /** Mean of autocannon's per-second samples, all responses. */
  requestsPerSec: number;
  /** Latency percentiles in ms, over every response (not only 2xx). */
  p50: number;
  p95: number;
  p99: number;
  totalRequests: number;
  /** Connection errors and timeouts: requests that got no response. */
  errors: number;
  non2xx: number;
  /** Response count by HTTP status. */
  statuses: Record<string, number>;
  /** Every answer, the warm-up's included: what the CPU readings cover. */
  responses: number;
  /** CPU µs per answer, per process (the server's own, and postgres and redis-server on PostgreSQL + Redis). */
  cpuUsPerRequest?: Record<string, number>;
}

/** Nearest-rank percentile of values sorted ascending. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** A growable float array: one number per response without boxing a million of them. */
function latencyRecorder() {
  let values = new Float64Array(1 << 16);
  let count = 0;
  return {
    record(ms: number) {
      if (count === values.length) {
        const grown = new Float64Array(values.length * 2);
        grown.set(values);
        values = grown;
      }
      values[count++] = ms;
    },
    sorted: () => values.slice(0, count).sort(),
    count: () => count,
  };
}

function dynamicRequest({ path, setupRequest, onResponse }: Pick<LoadOptions, 'path' | 'setupRequest' | 'onResponse'>) {
  return {
    ...(setupRequest
      ? {
          setupRequest: (request: { path?: string; headers?: Record<string, string>; body?: string }) => ({
            ...request,
            ...setupRequest({ path: request.path ?? path, headers: request.headers ?? {}, body: request.body }),
          }),
        }
      : {}),
    ...(onResponse
      ? { onResponse: (status: number, body: string, _context: unknown, headers: Record<string, string>) => onResponse(status, body, headers) }
      : {}),
  };
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const target = new URL(options.path, options.url);
  if (target.hostname !== '127.0.0.1') throw new Error(`refusing to load ${target.hostname}: the bench only targets 127.0.0.1`);
  if (!(options.duration > 0)) throw new Error('duration must be positive: load runs are bounded in time');

  // autocannon reports p50/p90/p97.5/p99 of 2xx only; p95 over every response is computed here.
  const latencies = latencyRecorder();
  const instance = autocannon({
    url: target.toString(),
    method: options.method ?? 'GET',
    headers: options.headers,
    body: options.body,
    ...(options.setupRequest || options.onResponse ? { requests: [dynamicRequest({ ...options, path: target.pathname + target.search })] } : {}),
    connections: options.connections,
    duration: options.duration,
    ...(options.warmup > 0 ? { warmup: { connections: options.connections, duration: options.warmup } } : {}),
  });
  instance.on('response', (_client, _status, _bytes, responseTimeMs) => latencies.record(responseTimeMs));
  const result = await instance;

  const sorted = latencies.sorted();
  return {
    requestsPerSec: result.requests.average,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    totalRequests: result.requests.total,
    errors: result.errors,
    non2xx: result.non2xx,
    statuses: Object.fromEntries(Object.entries(result.statusCodeStats).map(([status, { count }]) => [status, count])),
    responses: latencies.count(),
  };
}
