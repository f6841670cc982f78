// SQL for Idempotency-Key records. A key is claimed by inserting its row; the row later holds
// the response to replay.
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { idempotencyKeys } from '../db/schema.js';
import { rows } from '../db/rows.js';

export type Claim =
  | { kind: 'claimed' }
  | { kind: 'replay'; status: number; body: string | null; contentType: string | null }
  | { kind: 'mismatch' }
  | { kind: 'in-flight' };

/** A claim whose request has not finished after this long is treated as abandoned (its process died). */
const ABANDONED_AFTER_SECONDS = 60;

/** A record that may be taken over: expired, or claimed by a request that never finished. */
export const keyIsDead = sql`(${idempotencyKeys.expiresAt} < now() or (${idempotencyKeys.responseStatus} is null and ${idempotencyKeys.createdAt} < now() - make_interval(secs => ${ABANDONED_AFTER_SECONDS})))`;

/** Rows one sweep statement deletes at most: a bounded statement holds its locks and WAL briefly. */
export const SWEEP_BATCH_ROWS = 1_000;

export function createIdempotencyStore(db: Db, ttlSeconds: number) {
  const claimRow = async (scope: string, key: string, requestHash: string): Promise<boolean> => {
    const rows = await db
      .insert(idempotencyKeys)
      .values({ scope, key, requestHash, expiresAt: sql`now() + make_interval(secs => ${ttlSeconds})` })
      .onConflictDoUpdate({
        target: [idempotencyKeys.scope, idempotencyKeys.key],
        set: {
          requestHash,
          responseStatus: null,
          responseBody: null,
          responseContentType: null,
          createdAt: sql`now()`,
          expiresAt: sql`excluded.expires_at`,
        },
        // Take the key over only when the old record is dead: expired, or abandoned mid-flight.
        setWhere: keyIsDead,
      })
      .returning({ scope: idempotencyKeys.scope });
    return rows.length === 1;
  };

  return {
    async claim(scope: string, key: string, requestHash: string): Promise<Claim> {
      if (await claimRow(scope, key, requestHash)) return { kind: 'claimed' };
      const [row] = await db
        .select()
        .from(idempotencyKeys)
        .where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key)));
      // The row vanished between the two statements (cleanup): the key is free again.
      if (!row) return (await claimRow(scope, key, requestHash)) ? { kind: 'claimed' } : { kind: 'in-flight' };
      if (row.requestHash !== requestHash) return { kind: 'mismatch' };
      if (row.responseStatus === null) return { kind: 'in-flight' };
      return { kind: 'replay', status: row.responseStatus, body: row.responseBody, contentType: row.responseContentType };
    },

    async complete(scope: string, key: string, status: number, body: string, contentType: string | null): Promise<void> {
      await db
        .update(idempotencyKeys)
        .set({ responseStatus: status, responseBody: body, responseContentType: contentType })
        .where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key)));
    },

    /** Frees the key so the client may retry, e.g. after a 5xx that committed nothing. */
    async release(scope: string, key: string): Promise<void> {
      await db.delete(idempotencyKeys).where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key)));
    },

    /**
     * Deletes expired keys, at most batchRows per statement (SKIP LOCKED: a key being taken over
     * is not waited for), until a statement finds fewer; returns how many went.
     */
    async deleteExpired(batchRows = SWEEP_BATCH_ROWS): Promise<number> {
      let total = 0;
      for (;;) {
        const deleted = await rows(
          db,
          sql`delete from ${idempotencyKeys} where (${idempotencyKeys.scope}, ${idempotencyKeys.key}) in (
                select ${idempotencyKeys.scope}, ${idempotencyKeys.key} from ${idempotencyKeys}
                where ${idempotencyKeys.expiresAt} < now() limit ${batchRows} for update skip locked)
              returning 1`,
        );
        total += deleted.length;
        if (deleted.length < batchRows) return total;
      }
    },
  };
}

export type IdempotencyStore = ReturnType<typeof createIdempotencyStore>;
