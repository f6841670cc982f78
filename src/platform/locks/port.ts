// Distributed mutex port: one holder at a time per key, across instances on Redis.
// A lock has a lease that is refreshed while held, so a crashed holder cannot block forever.
export interface LockOptions {
  /** Lease length; refreshed automatically while the holder runs. */
  leaseMs?: number;
  /** How long to wait for the lock before giving up with LockTimeoutError. */
  acquireTimeoutMs?: number;
}

/** Shared by both adapters so a feature behaves the same on memory and Redis. */
export const DEFAULT_LOCK_OPTIONS: Required<LockOptions> = { leaseMs: 30_000, acquireTimeoutMs: 10_000 };

export class LockTimeoutError extends Error {
  constructor(readonly key: string) {
    super(`could not acquire lock ${key}`);
    this.name = 'LockTimeoutError';
  }
}

export interface Locks {
  /** Runs `work` while holding the lock `key`, and releases it afterwards, even on error. */
  withLock<T>(key: string, work: () => Promise<T>, options?: LockOptions): Promise<T>;
  close(): Promise<void>;
}
