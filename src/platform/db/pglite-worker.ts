// The embedded database's own thread: PGlite runs here, so its WebAssembly computes on a core of
// its own instead of the server's event loop (see pglite-thread.ts, which talks to it).
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite, type QueryOptions, type Transaction } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import type { Reply, Request, WorkerData } from './pglite-protocol.js';

const port = parentPort!;
const { dir, template } = workerData as WorkerData;

/** Transactions the server's thread has open, each waiting to be told to commit or roll back. */
const open = new Map<number, { tx: Transaction; end(commit: boolean, id: number): void }>();
let lastTx = 0;

/** Rolls a transaction back from inside PGlite's callback, which then rethrows it. */
class RollBack extends Error {}

const identity = (value: unknown) => value;

/** The types drizzle asks to keep as text (its parsers are all the identity); see pglite-thread.ts. */
const options = ({ rowMode, rawTypes }: { rowMode?: QueryOptions['rowMode']; rawTypes: number[] }): QueryOptions => ({
  rowMode,
  parsers: Object.fromEntries(rawTypes.map((type) => [type, identity])),
});

/**
 * What the error carries besides its message (SQLSTATE, constraint, detail…) survives the thread
 * hop; its query options (parser functions) cannot be sent and are not needed.
 */
function plain(error: unknown): Record<string, unknown> & { message: string } {
  if (!(error instanceof Error)) return { message: String(error) };
  const fields = Object.entries(error).filter(([, value]) => ['string', 'number', 'boolean'].includes(typeof value));
  return { ...Object.fromEntries(fields), name: error.name, message: error.message };
}

function reply(message: Reply): void {
  port.postMessage(message);
}

/**
 * Opens a transaction and holds it open until the server's thread sends `end`: PGlite runs one
 * transaction at a time, and every other query waits for it, as on the server's thread.
 */
function begin(id: number): void {
  const txId = ++lastTx;
  let endId: number | undefined;
  client
    .transaction(async (tx) => {
      const commit = await new Promise<boolean>((resolve) => {
        open.set(txId, { tx, end: (commit, id) => ((endId = id), resolve(commit)) });
        reply({ id, result: txId });
      });
      if (!commit) throw new RollBack();
    })
    .then(
      () => reply({ id: endId!, result: null }),
      // A failed BEGIN answers the begin; a failed COMMIT (or the rollback asked for) answers the end.
      (error: unknown) => reply(error instanceof RollBack ? { id: endId!, result: null } : { id: endId ?? id, error: plain(error) }),
    )
    .finally(() => open.delete(txId));
}

async function handle(request: Request): Promise<void> {
  const { id } = request;
  try {
    switch (request.op) {
      case 'query': {
        const runner = request.tx === undefined ? client : open.get(request.tx)?.tx;
        if (!runner) throw new Error('Transaction is closed');
        reply({ id, result: await runner.query(request.sql, request.params, options(request)) });
        return;
      }
      case 'begin':
        return begin(id);
      case 'end': {
        // Answered by begin() once PGlite has committed or rolled back.
        const transaction = open.get(request.tx);
        if (!transaction) throw new Error('Transaction is closed');
        return transaction.end(request.commit, id);
      }
      case 'close':
        await client.close();
        reply({ id, result: null });
        port.close();
        return;
    }
  } catch (error) {
    reply({ id, error: plain(error) });
  }
}

// pg_trgm ships with PGlite as a contrib extension; product search needs it (drizzle/0005_pg_trgm.sql).
const client = await PGlite.create(dir, { extensions: { pg_trgm }, loadDataDir: template && new Blob([template]) });
port.on('message', (request: Request) => void handle(request));
reply({ id: 0, result: 'ready' });
