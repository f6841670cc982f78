// Distributed mutex port: one holder at a time per key, across instances on Redis.
// A lock has a lease that is refreshed while held, so a crashed holder cannot block forever.
export interface LockOptions {
  /** Lease length; refreshed automatically while the holder runs. */
  leaseMs?: number;
  /** How long to wait for the lock before giving up with LockTimeoutError. */
  acquireTimeoutMs?: number;
}

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
