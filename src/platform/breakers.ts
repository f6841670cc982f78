// Circuit breakers around the two services Stampede depends on. Only connection-level
// failures count: a unique violation is the database working, not failing.
import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  circuitBreaker,
  handleWhen,
  type CircuitBreakerPolicy,
} from 'cockatiel';
import type { Config } from '../config.js';
import { causeChain } from './causes.js';
import type { Metrics } from './metrics.js';

export type BreakerName = 'postgres' | 'redis' | 'replica';

export interface Breaker {
  name: BreakerName;
  policy: CircuitBreakerPolicy;
  /** Milliseconds until the breaker half-opens; a hint for Retry-After. */
  retryAfterMs(): number;
  isOpen(): boolean;
  state(): 'closed' | 'half-open' | 'open';
  execute<T>(fn: () => Promise<T>): Promise<T>;
}

export interface Breakers {
  postgres: Breaker;
  redis: Breaker;
  /** DATABASE_READ_URL's replica, when there is one. */
  replica?: Breaker;
}

const CONNECTION_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '57014', // query_canceled: statement_timeout, a server too slow to answer in time
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
]);

/** True for errors that mean "the service is unreachable", walking wrapped causes. */
const CONNECTION_ERROR_MESSAGE =
  /Connection terminated|connection timeout|timeout exceeded when trying to connect|Query read timeout|is not queryable|Connection is closed|Stream isn't writeable|max retries per request/i;

export function isConnectionError(error: unknown): boolean {
  for (const current of causeChain(error)) {
    const { code, message } = current as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && CONNECTION_ERROR_CODES.has(code)) return true;
    if (typeof message === 'string' && CONNECTION_ERROR_MESSAGE.test(message)) return true;
  }
  return false;
}

export { BrokenCircuitError };

export function createBreaker(name: BreakerName, threshold: number, halfOpenAfterMs: number, metrics: Metrics): Breaker {
  const policy = circuitBreaker(handleWhen(isConnectionError), {
    halfOpenAfter: new ExponentialBackoff({ initialDelay: halfOpenAfterMs, maxDelay: halfOpenAfterMs }),
    breaker: new ConsecutiveBreaker(threshold),
  });
  let openedAt = 0;
  const stateValue = { [CircuitState.Closed]: 0, [CircuitState.HalfOpen]: 1, [CircuitState.Open]: 2, [CircuitState.Isolated]: 2 };
  metrics.breakerState.set({ breaker: name }, 0);
  policy.onStateChange((state) => metrics.breakerState.set({ breaker: name }, stateValue[state]));
  policy.onBreak(() => {
    openedAt = Date.now();
    metrics.breakerOpens.inc({ breaker: name });
  });
  return {
    name,
    policy,
    isOpen: () => policy.state === CircuitState.Open || policy.state === CircuitState.Isolated,
    state: () => (policy.state === CircuitState.Closed ? 'closed' : policy.state === CircuitState.HalfOpen ? 'half-open' : 'open'),
    retryAfterMs: () => Math.max(0, openedAt + halfOpenAfterMs - Date.now()),
    execute: (fn) => policy.execute(fn),
  };
}

export function createBreakers(config: Config, metrics: Metrics): Breakers {
  const { halfOpenAfterMs, postgresThreshold, redisThreshold } = config.breakers;
  return {
    postgres: createBreaker('postgres', postgresThreshold, halfOpenAfterMs, metrics),
    redis: createBreaker('redis', redisThreshold, halfOpenAfterMs, metrics),
    // A replica fails like the primary does, so it opens after as many failures.
    ...(config.databaseReadUrl ? { replica: createBreaker('replica', postgresThreshold, halfOpenAfterMs, metrics) } : {}),
  };
}
