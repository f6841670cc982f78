// Mutex across instances on Redis (redis-semaphore): SET NX PX with a lease that is refreshed
// while the holder works. There is deliberately no in-process fallback: a lock that only
// excludes this instance would silently break mutual exclusion, so Redis failures surface.
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { Mutex, TimeoutError } from 'redis-semaphore';
import { readyWithin } from '../redis-ready.js';
import { DEFAULT_LOCK_OPTIONS, LockTimeoutError, type LockOptions, type Locks } from './port.js';

export interface RedisLocksOptions {
  /**
   * A connection whose ioredis `keyPrefix` is the deployment's prefix: redis-semaphore names
   * keys "mutex:<key>" itself, so only the client can put them under the prefix.
   */
  client: Redis;
  log: Logger;
}

/** How long a first lock waits for its connection (opened on first use) to come up. */
const CONNECT_WAIT_MS = 250;

export class RedisLocks implements Locks {
  /** One wait shared by every lock that arrives while the connection comes up. */
  private connecting: Promise<boolean> | undefined;

  constructor(private readonly options: RedisLocksOptions) {}

  async withLock<T>(key: string, work: () => Promise<T>, options: LockOptions = {}): Promise<T> {
    const leaseMs = options.leaseMs ?? DEFAULT_LOCK_OPTIONS.leaseMs;
    const acquireTimeoutMs = options.acquireTimeoutMs ?? DEFAULT_LOCK_OPTIONS.acquireTimeoutMs;
    const mutex = new Mutex(this.options.client, key, {
      lockTimeout: leaseMs,
      acquireTimeout: acquireTimeoutMs,
      // A third of the lease leaves room for two slow refreshes before the lease runs out.
      refreshInterval: Math.max(1, Math.floor(leaseMs / 3)),
      // The default throws from a timer, which would crash the process.
      onLockLost: (error) => this.options.log.error({ err: error, key }, 'lost a lock while holding it'),
    });
    // Not run through the breaker: a wait for a busy lock would hold cockatiel's single
    // half-open trial for its whole acquire timeout. The client fails fast on its own.
    await (this.connecting ??= readyWithin(this.options.client, CONNECT_WAIT_MS).finally(() => (this.connecting = undefined)));
    try {
      await mutex.acquire();
    } catch (error) {
      if (error instanceof TimeoutError) throw new LockTimeoutError(key);
      throw error;
    }
    try {
      return await work();
    } finally {
      // The lease expires on its own, so a failed release only delays the next holder.
      await mutex.release().catch((error: unknown) => this.options.log.warn({ err: error, key }, 'lock release failed'));
    }
  }

  async close(): Promise<void> {}
}
