// Micro-batching for hot write paths ("group commit"). Calls that arrive within a couple of
// milliseconds are run as one round trip or one transaction, and each caller is settled with
// its own result or its own error. While a batch is in flight the next one keeps filling, so
// batches grow exactly when load does. A batch that fails as a whole is split in halves until
// the failure is cornered, so one poisoned item fails alone instead of taking its neighbours
// down; only a failure of the service itself (the database unreachable) fails them all.
import { BrokenCircuitError, isConnectionError } from './breakers.js';

export interface BatcherOptions<I, O> {
  /** Label for metrics and logs. */
  name: string;
  /** Runs one batch. Return one entry per item, in order: a value, or an Error for that item alone. */
  run: (items: I[]) => Promise<Array<O | Error>>;
  maxItems?: number;
  maxWaitMs?: number;
  /** Batches allowed in flight at once. */
  concurrency?: number;
  /**
   * After a batch, wait one turn of the event loop before sending what queued meanwhile. PGlite
   * computes on this thread, so while a batch runs no request is read: the callers whose
   * answers it just released come back in that turn, and join the next batch instead of
   * making the one after it (halving the statements of a closed loop of callers, measured).
   */
  gatherAfterBatch?: boolean;
  onBatch?: (size: number) => void;
  /**
   * True for a failure that splitting cannot cure, so every item gets it at once. Defaults to
   * an unreachable service (a connection error, an open breaker).
   */
  failsEveryItem?: (error: unknown) => boolean;
}

export interface Batcher<I, O> {
  add(item: I): Promise<O>;
  /** Resolves once every call added so far has settled. */
  drain(): Promise<void>;
  /** Refuses new calls and drains the rest. */
  close(): Promise<void>;
  readonly pending: number;
}

interface Waiter<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
}

export class BatcherClosedError extends Error {
  constructor(name: string) {
    super(`batcher ${name} is closed`);
  }
}

class BatchResultCountError extends Error {}

const serviceUnreachable = (error: unknown) => isConnectionError(error) || error instanceof BrokenCircuitError;

/**
 * Runs the items together. If that fails as a whole, runs the halves in order, down to single
 * items, so a poisoned item fails alone and the rest keep their arrival order. A failure of
 * the service itself, or a run that miscounts its results (a bug), fails every item at once.
 */
export async function runIsolatingFailures<I, O>(
  items: I[],
  run: (items: I[]) => Promise<Array<O | Error>>,
  failsEveryItem: (error: unknown) => boolean = serviceUnreachable,
): Promise<Array<O | Error>> {
  try {
    const results = await run(items);
    if (results.length !== items.length) throw new BatchResultCountError(`run returned ${results.length} results for ${items.length} items`);
    return results;
  } catch (caught) {
    const error = caught instanceof Error ? caught : new Error(String(caught));
    if (items.length === 1 || error instanceof BatchResultCountError || failsEveryItem(error)) return items.map(() => error);
    const middle = Math.ceil(items.length / 2);
    const head = await runIsolatingFailures(items.slice(0, middle), run, failsEveryItem);
    return [...head, ...(await runIsolatingFailures(items.slice(middle), run, failsEveryItem))];
  }
}

/** Where the items sharing a key stand, key by key: per-group work whose answers go back in the callers' order. */
export function positionsByKey<T, K>(items: readonly T[], keyOf: (item: T) => K): Map<K, number[]> {
  const groups = new Map<K, number[]>();
  items.forEach((item, at) => {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(at);
    else groups.set(key, [at]);
  });
  return groups;
}

export function createBatcher<I, O>(options: BatcherOptions<I, O>): Batcher<I, O> {
  const {
    name,
    run,
    maxItems = 100,
    maxWaitMs = 2,
    concurrency = 1,
    gatherAfterBatch = false,
    onBatch,
    failsEveryItem = serviceUnreachable,
  } = options;
  let queue: Waiter<I, O>[] = [];
  let timer: NodeJS.Timeout | undefined;
  let inFlight = 0;
  let closed = false;
  let idleWaiters: Array<() => void> = [];

  const settleIdle = () => {
    if (queue.length === 0 && inFlight === 0) {
      for (const wake of idleWaiters) wake();
      idleWaiters = [];
    }
  };

  const flush = () => {
    if (timer) {
      clearTimeout(timer);
      timer = undefined;
    }
    while (queue.length > 0 && inFlight < concurrency) {
      const batch = queue.slice(0, maxItems);
      queue = queue.slice(maxItems);
      inFlight++;
      onBatch?.(batch.length);
      void execute(batch);
    }
  };

  const settle = async (batch: Waiter<I, O>[]): Promise<void> => {
    const results = await runIsolatingFailures(
      batch.map((waiter) => waiter.item),
      run,
      failsEveryItem,
    );
    batch.forEach((waiter, index) => {
      const result = results[index];
      if (result instanceof Error) waiter.reject(result);
      else waiter.resolve(result as O);
    });
  };

  const execute = async (batch: Waiter<I, O>[]) => {
    try {
      await settle(batch);
    } finally {
      inFlight--;
      // Whatever queued up meanwhile has already waited a whole batch: send it now (or after one turn).
      if (queue.length > 0) {
        if (gatherAfterBatch) setImmediate(flush);
        else flush();
      }
      settleIdle();
    }
  };

  return {
    add(item) {
      if (closed) return Promise.reject(new BatcherClosedError(name));
      return new Promise<O>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        if (queue.length >= maxItems) flush();
        else if (!timer && inFlight < concurrency) timer = setTimeout(flush, maxWaitMs);
      });
    },
    drain() {
      flush();
      if (queue.length === 0 && inFlight === 0) return Promise.resolve();
      return new Promise<void>((resolve) => idleWaiters.push(resolve));
    },
    async close() {
      closed = true;
      await this.drain();
    },
    get pending() {
      return queue.length + inFlight;
    },
  };
}
