// Clients that behave like careful real ones through an outage: each sends its request with an
// Idempotency-Key and, on a 503, a 409 "in flight", a balancer's 502/504 or a dropped connection, sends the same
// request with the same key again after Retry-After (or a jittered backoff), alternating between
// the instances as a load balancer would. Every attempt is recorded for the test's figures.
import { performance } from 'node:perf_hooks';

export interface ClientRequest {
  path: string;
  token: string;
  idempotencyKey: string;
  body?: unknown;
}

export interface Attempt {
  client: number;
  /** Milliseconds since the rush began. */
  at: number;
  /** HTTP status, or 0 for no answer. */
  status: number;
  code?: string;
  error?: string;
}

export interface ClientOutcome {
  status: number;
  body: any;
  attempts: number;
}

export interface RetryingRushOptions {
  baseUrls: string[];
  /** Most clients with a request in flight or waiting to retry. */
  concurrency: number;
  /** Seeds the backoff jitter, so a failing run can be replayed with the same timings. */
  seed: number;
  /** Gives up on a client after this long (its outcome has status 0). */
  deadlineMs: number;
  requestTimeoutMs?: number;
  onAttempt?(attempt: Attempt): void;
}

/** Small seeded PRNG (mulberry32): deterministic jitter from a printed seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const RETRYABLE_CODES = new Set(['DATABASE_UNAVAILABLE', 'OVERLOADED', 'IDEMPOTENCY_KEY_IN_FLIGHT', 'SHUTTING_DOWN']);
const MAX_BACKOFF_MS = 2_000;

export async function retryingRush(requests: ClientRequest[], options: RetryingRushOptions): Promise<ClientOutcome[]> {
  const { baseUrls, concurrency, deadlineMs, requestTimeoutMs = 10_000, onAttempt } = options;
  const random = seededRandom(options.seed);
  const started = performance.now();
  const now = () => performance.now() - started;
  const outcomes: ClientOutcome[] = new Array(requests.length);

  const attempt = async (client: number, n: number): Promise<{ status: number; body: any; retryAfterMs?: number }> => {
    const request = requests[client]!;
    const url = baseUrls[(client + n) % baseUrls.length]! + request.path;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${request.token}`, 'content-type': 'application/json', 'idempotency-key': request.idempotencyKey },
        body: JSON.stringify(request.body ?? {}),
        signal: AbortSignal.timeout(requestTimeoutMs),
      });
      const body = (await response.json().catch(() => undefined)) as any;
      const retryAfter = Number(response.headers.get('retry-after'));
      onAttempt?.({ client, at: now(), status: response.status, code: body?.code });
      return { status: response.status, body, ...(retryAfter > 0 ? { retryAfterMs: retryAfter * 1000 } : {}) };
    } catch (error) {
      onAttempt?.({ client, at: now(), status: 0, error: (error as Error).message });
      return { status: 0, body: undefined };
    }
  };

  const runClient = async (client: number) => {
    for (let n = 0; ; n++) {
      const answer = await attempt(client, n);
      // 502/504: a load balancer whose upstream died or timed out with the request.
      const retryable = answer.status === 0 || answer.status === 502 || answer.status === 504 || RETRYABLE_CODES.has(answer.body?.code);
      if (!retryable || now() > deadlineMs) {
        outcomes[client] = { status: answer.status, body: answer.body, attempts: n + 1 };
        return;
      }
      // Full jitter below the server's hint or the exponential step, so retries spread out.
      const ceiling = answer.retryAfterMs ?? Math.min(MAX_BACKOFF_MS, 100 * 2 ** n);
      await new Promise((resolve) => setTimeout(resolve, ceiling / 2 + (random() * ceiling) / 2));
    }
  };

  let next = 0;
  const worker = async () => {
    while (next < requests.length) await runClient(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, requests.length) }, worker));
  return outcomes;
}
