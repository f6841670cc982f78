// In-process mutex per key: waiters queue in arrival order. There is no lease, since a holder
// cannot crash without taking the whole process (and its waiters) with it.
import { DEFAULT_LOCK_OPTIONS, LockTimeoutError, type LockOptions, type Locks } from './port.js';

export class MemoryLocks implements Locks {
  /** A key is held while it is in the map; the array holds the waiters' grant callbacks. */
  private readonly waiters = new Map<string, Array<() => void>>();

  async withLock<T>(key: string, work: () => Promise<T>, options: LockOptions = {}): Promise<T> {
    await this.acquire(key, options.acquireTimeoutMs ?? DEFAULT_LOCK_OPTIONS.acquireTimeoutMs);
    try {
      return await work();
    } finally {
      this.release(key);
    }
  }

  private acquire(key: string, timeoutMs: number): Promise<void> {
    const queue = this.waiters.get(key);
    if (!queue) {
      this.waiters.set(key, []);
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const grant = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        queue.splice(queue.indexOf(grant), 1);
        reject(new LockTimeoutError(key));
      }, timeoutMs);
      queue.push(grant);
    });
  }

  private release(key: string): void {
    const next = this.waiters.get(key)?.shift();
    if (next) next();
    else this.waiters.delete(key);
  }

  async close(): Promise<void> {}
}
