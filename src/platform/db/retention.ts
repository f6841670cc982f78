// Deleting expired rows without one huge statement: bounded batches, each its own short
// statement, so a backlog of millions never holds locks or bloats one transaction.
import { sql, type SQL } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { Executor } from './client.js';
import { rows } from './rows.js';

export interface BoundedDelete {
  table: PgTable;
  /** Which rows have expired. */
  expired: SQL;
  batchSize: number;
  /** Stops after this many batches; the next sweep carries on. */
  maxBatches: number;
}

/** Deletes up to batchSize * maxBatches expired rows; returns how many went. */
export async function deleteExpiredInBatches(db: Executor, { table, expired, batchSize, maxBatches }: BoundedDelete): Promise<number> {
  let deleted = 0;
  for (let batch = 0; batch < maxBatches; batch++) {
    const gone = await rows(
      db,
      // ctid addresses any table's rows, whatever its key; both are read in this one statement.
      sql`delete from ${table} where ctid in (select ctid from ${table} where ${expired} limit ${batchSize}) returning 1`,
    );
    deleted += gone.length;
    if (gone.length < batchSize) break;
  }
  return deleted;
}
