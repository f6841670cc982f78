// SQL for the activity log.
import { and, desc, eq, lt, sql } from 'drizzle-orm';
import type { ActivityEntry } from '../../domain/activity.js';
import type { Db, Executor, Tx } from '../../platform/db/client.js';
import { withTransaction } from '../../platform/db/transaction.js';
import { deleteExpiredInBatches } from '../../platform/db/retention.js';
import { activities } from '../../platform/db/schema.js';

export type ActivityRow = typeof activities.$inferSelect;

export function createActivityStore(db: Db) {
  return {
    transaction: <T>(work: (tx: Tx) => Promise<T>) => withTransaction(db, work),

    /** One statement whose text does not depend on the batch's size (arrays, not a VALUES row per entry). */
    async insert(ex: Executor, entries: ActivityEntry[]): Promise<void> {
      if (entries.length === 0) return;
      await ex.execute(sql`
        insert into activities (user_id, kind, subject, details, created_at)
        select user_id, kind, subject, details::jsonb, created_at from unnest(${sql.param(entries.map((entry) => entry.userId))}::uuid[], ${sql.param(entries.map((entry) => entry.kind))}::text[],
          ${sql.param(entries.map((entry) => entry.subject))}::text[], ${sql.param(entries.map((entry) => JSON.stringify(entry.details ?? {})))}::text[],
          ${sql.param(entries.map((entry) => entry.at.toISOString()))}::timestamptz[])
          as entry(user_id, kind, subject, details, created_at)`);
    },

    /** Newest first, strictly older than the cursor (an id) when one is given. */
    async page(userId: string, before: number | undefined, limit: number): Promise<ActivityRow[]> {
      return db
        .select()
        .from(activities)
        .where(before === undefined ? eq(activities.userId, userId) : and(eq(activities.userId, userId), lt(activities.id, before)))
        .orderBy(desc(activities.id))
        .limit(limit);
    },

    async deleteOlderThan(cutoff: Date, bounds: { batchSize: number; maxBatches: number }): Promise<number> {
      return deleteExpiredInBatches(db, { table: activities, expired: sql`created_at < ${cutoff.toISOString()}::timestamptz`, ...bounds });
    },
  };
}

export type ActivityStore = ReturnType<typeof createActivityStore>;
