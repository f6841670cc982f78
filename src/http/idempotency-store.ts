// SQL for Idempotency-Key records. A key is claimed by inserting its row; the row later holds
// the response to replay.
import { and, eq, lt, sql } from 'drizzle-orm';
import type { Db } from '../platform/db/client.js';
import { idempotencyKeys } from '../platform/db/schema.js';

export type Claim =
  | { kind: 'claimed' }
  | { kind: 'replay'; status: number; body: string | null; contentType: string | null }
  | { kind: 'mismatch' }
  | { kind: 'in-flight' };

/** A claim whose request has not finished after this long is treated as abandoned (its process died). */
const ABANDONED_AFTER_SECONDS = 60;

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
        setWhere: sql`${idempotencyKeys.expiresAt} < now() or (${idempotencyKeys.responseStatus} is null and ${idempotencyKeys.createdAt} < now() - make_interval(secs => ${ABANDONED_AFTER_SECONDS}))`,
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

    async deleteExpired(): Promise<number> {
      const rows = await db
        .delete(idempotencyKeys)
        .where(lt(idempotencyKeys.expiresAt, sql`now()`))
        .returning({ key: idempotencyKeys.key });
      return rows.length;
    },
  };
}

export type IdempotencyStore = ReturnType<typeof createIdempotencyStore>;
