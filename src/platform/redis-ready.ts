import type { Redis } from 'ioredis';
import type { Breaker } from './breakers.js';

/** Resolves true once the client is ready, or false after `ms` without it. */
export function readyWithin(client: Redis, ms: number): Promise<boolean> {
  if (client.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ready: boolean) => {
      clearTimeout(timer);
      client.off('ready', onReady);
      resolve(ready);
    };
    const onReady = () => done(true);
    const timer = setTimeout(() => done(false), ms);
    client.on('ready', onReady);
  });
}

/**
 * Runs an adapter's commands through the Redis breaker, failing at once while the client is
 * reconnecting (it would reject anyway; this skips even building the command). Any failure
 * comes out as `unavailable(cause)`, the adapter's own error for its caller to fall back on.
 */
export function guardedCalls(client: Redis, breaker: Breaker, unavailable: (cause: unknown) => Error) {
  return async <T>(command: () => Promise<T>): Promise<T> => {
    if (client.status !== 'ready') throw unavailable(new Error(`redis is ${client.status}`));
    try {
      return await breaker.execute(command);
    } catch (error) {
      throw unavailable(error);
    }
  };
}
