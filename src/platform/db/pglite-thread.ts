// The embedded database on a thread of its own. PGlite computes on the thread that calls it: on
// the server's event loop its WebAssembly took half of a rush's CPU (docs/benchmarks.md) while
// the machine's other core idled, and no request was read while a statement ran. A worker
// thread (pglite-worker.ts) owns PGlite; this side forwards the two calls Drizzle's PGlite
// driver makes, query and transaction, as messages.
import type { PGlite, QueryOptions, Results, Transaction } from '@electric-sql/pglite';
import { startWorker } from '../worker-file.js';
import type { Reply, Request } from './pglite-protocol.js';

export interface PgliteThread {
  /** Answers what Drizzle's PGlite driver calls: query and transaction. */
  client: Pick<PGlite, 'query' | 'transaction'>;
  close(): Promise<void>;
}

type Call = { resolve(result: unknown): void; reject(error: Error): void };
type Outgoing = Request extends infer R ? (R extends Request ? Omit<R, 'id'> : never) : never;

/** Starts the thread and opens the database at `dir` (or from `template`) in it. */
export async function startPgliteThread(dir: string, template?: Blob): Promise<PgliteThread> {
  const bytes = template && (await template.arrayBuffer());
  const worker = startWorker('pglite-worker', import.meta.url, {
    workerData: { dir, template: bytes },
    transferList: bytes ? [bytes] : [],
  });
  // Like PGlite on the server's thread, the database alone never keeps the process running.
  worker.unref();
  const calls = new Map<number, Call>();
  let lastId = 0;
  let stopped: Error | undefined;

  worker.on('message', (reply: Reply) => {
    const call = calls.get(reply.id);
    calls.delete(reply.id);
    if ('error' in reply) call?.reject(Object.assign(new Error(reply.error.message), reply.error));
    else call?.resolve(reply.result);
  });
  const stop = (error: Error) => {
    stopped ??= error;
    for (const call of calls.values()) call.reject(stopped);
    calls.clear();
  };
  worker.on('error', stop);
  worker.on('exit', (code) => stop(new Error(`the embedded database's thread stopped (exit code ${code})`)));

  const replyTo = (id: number): Promise<unknown> =>
    stopped ? Promise.reject(stopped) : new Promise((resolve, reject) => calls.set(id, { resolve, reject }));
  const send = (request: Outgoing): Promise<unknown> => {
    const id = ++lastId;
    const reply = replyTo(id);
    if (!stopped) worker.postMessage({ ...request, id });
    return reply;
  };

  // Drizzle's parsers are all the identity, for the types it keeps as text: the worker is told which.
  const query =
    (tx?: number) =>
    (sql: string, params?: unknown[], options?: QueryOptions): Promise<Results<never>> =>
      send({ op: 'query', sql, params, rowMode: options?.rowMode, rawTypes: Object.keys(options?.parsers ?? {}).map(Number), tx }) as Promise<
        Results<never>
      >;

  async function transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    const tx = (await send({ op: 'begin' })) as number;
    let result: T;
    try {
      result = await work({ query: query(tx) } as unknown as Transaction);
    } catch (error) {
      await send({ op: 'end', tx, commit: false }).catch(() => undefined);
      throw error;
    }
    await send({ op: 'end', tx, commit: true });
    return result;
  }

  try {
    await replyTo(0); // the worker's first message: the database is open
  } catch (error) {
    await worker.terminate();
    throw error;
  }
  return {
    client: { query: query() as PGlite['query'], transaction: transaction as PGlite['transaction'] },
    async close() {
      if (stopped) return;
      await send({ op: 'close' });
      await worker.terminate();
    },
  };
}
