// Coalesces bursts of "something changed" into at most one flush per key per interval, so a
// rush of 10,000 writes becomes about 4 broadcasts a second instead of 10,000.
// The first change after a quiet spell flushes on the next tick (no added latency); changes
// inside the interval collapse into one trailing flush, so the last state is always sent.

export interface Coalescer<K> {
  schedule(key: K): void;
  /** Cancels pending flushes; later schedules are ignored. */
  close(): void;
}

export function createCoalescer<K>(
  intervalMs: number,
  flush: (key: K) => void | Promise<void>,
  onError: (error: unknown, key: K) => void = () => undefined,
): Coalescer<K> {
  const lastFlush = new Map<K, number>();
  const pending = new Map<K, NodeJS.Timeout>();
  let closed = false;

  const run = (key: K) => {
    pending.delete(key);
    lastFlush.set(key, Date.now());
    Promise.resolve()
      .then(() => flush(key))
      .catch((error) => onError(error, key));
  };

  return {
    schedule(key) {
      if (closed || pending.has(key)) return;
      const since = Date.now() - (lastFlush.get(key) ?? -Infinity);
      const wait = Math.max(0, intervalMs - since);
      pending.set(key, setTimeout(run, wait, key).unref());
    },
    close() {
      closed = true;
      for (const timer of pending.values()) clearTimeout(timer);
      pending.clear();
      lastFlush.clear();
    },
  };
}
