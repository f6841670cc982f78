// The messages between the server's thread and the embedded database's (pglite-thread.ts and
// pglite-worker.ts).
import type { RowMode } from '@electric-sql/pglite';

export interface WorkerData {
  dir: string;
  /** A data dir dump to start from (DatabaseOptions.pgliteTemplate), as bytes. */
  template?: ArrayBuffer;
}

export type Request = { id: number } & (
  | { op: 'query'; sql: string; params?: unknown[]; rowMode?: RowMode; rawTypes: number[]; tx?: number }
  | { op: 'begin' }
  | { op: 'end'; tx: number; commit: boolean }
  | { op: 'close' }
);

/** Id 0 is the worker's first message, once the database is open. */
export type Reply = { id: number } & ({ result: unknown } | { error: Record<string, unknown> & { message: string } });
