// SQL for action types and completed actions. The action queries are multi-row (unnest of
// arrays): a whole batch of completions costs a handful of statements, not one per caller.
import { asc, eq, sql } from 'drizzle-orm';
import type { Db, Executor } from '../../../platform/db/client.js';
import { actionTypes } from '../../../platform/db/schema.js';
import type { ActionRules, StoredActionResult } from '../../../domain/scoring.js';
import { epochMs, parseJson, rows as queryRows, type Row } from '../../../platform/db/rows.js';

export type ActionTypeRow = typeof actionTypes.$inferSelect;

/** Identifies an action: the idempotency key of a completion. */
export interface ActionKey {
  userId: string;
  actionTypeId: string;
  identifier: string;
}

export interface StoredAction extends ActionKey {
  id: string;
  metadata: Record<string, unknown> | null;
  scoreEarned: number;
  result: StoredActionResult;
  createdAt: Date;
}

export interface UsageQuery {
  userId: string;
  actionTypeId: string;
  /** Counting stops at the limit: past it the answer is the same. 0 skips the count. */
  totalCap: number;
  dayStart: Date;
  dayCap: number;
}

const ms = (column: string) => epochMs(sql.raw(column));

function toStoredAction(row: Row): StoredAction {
  return {
    id: String(row.id),
    userId: String(row.user_id),
    actionTypeId: String(row.action_type_id),
    identifier: String(row.identifier),
    metadata: (parseJson(row.metadata) ?? null) as Record<string, unknown> | null,
    scoreEarned: Number(row.score_earned),
    result: parseJson(row.result) as StoredActionResult,
    createdAt: new Date(Number(row.created_at)),
  };
}

const keyArrays = (keys: ActionKey[]) =>
  sql`${sql.param(keys.map((k) => k.userId))}::uuid[], ${sql.param(keys.map((k) => k.actionTypeId))}::uuid[], ${sql.param(keys.map((k) => k.identifier))}::text[]`;

export function createActionsStore(db: Db) {
  return {
    async listTypes(): Promise<ActionTypeRow[]> {
      return db.select().from(actionTypes).orderBy(asc(actionTypes.key));
    },

    async typeByKey(key: string): Promise<ActionTypeRow | undefined> {
      const [row] = await db.select().from(actionTypes).where(eq(actionTypes.key, key));
      return row;
    },

    async typeById(id: string): Promise<ActionTypeRow | undefined> {
      const [row] = await db.select().from(actionTypes).where(eq(actionTypes.id, id));
      return row;
    },

    async insertType(values: {
      key: string;
      name: string;
      baseScore: number;
      active: boolean;
      rules: ActionRules;
      createdBy: string;
    }): Promise<ActionTypeRow> {
      const [row] = await db.insert(actionTypes).values(values).returning();
      return row!;
    },

    async updateType(
      id: string,
      values: Partial<Pick<ActionTypeRow, 'name' | 'baseScore' | 'active' | 'rules'>>,
    ): Promise<ActionTypeRow | undefined> {
      const [row] = await db
        .update(actionTypes)
        .set({ ...values, updatedAt: new Date() })
        .where(eq(actionTypes.id, id))
        .returning();
      return row;
    },

    /** Completions already recorded under these keys (replays), with their original results. */
    async findExisting(ex: Executor, keys: ActionKey[]): Promise<StoredAction[]> {
      if (keys.length === 0) return [];
      const result = await queryRows(
        ex,
        sql`
        select a.id, a.user_id, a.action_type_id, a.identifier, a.metadata, a.score_earned::float8 as score_earned, a.result,
          ${ms('a.created_at')} as created_at
        from actions a join unnest(${keyArrays(keys)}) as k(user_id, action_type_id, identifier)
          on a.user_id = k.user_id and a.action_type_id = k.action_type_id and a.identifier = k.identifier`,
      );
      return result.map(toStoredAction);
    },

    /**
     * Serialises completions of one (user, type) across transactions and instances while its
     * history is read and extended, so two batches cannot both pass a limit. Sorted: no deadlocks.
     */
    async lockUsage(ex: Executor, pairs: string[]): Promise<void> {
      if (pairs.length === 0) return;
      await queryRows(
        ex,
        sql`
        select pg_advisory_xact_lock(hashtextextended(pair, 0))
        from (select distinct unnest(${sql.param(pairs)}::text[]) as pair order by 1) as sorted`,
      );
    },

    /** Latest completion, lifetime count and count since the user's day start, per (user, type). */
    async usage(ex: Executor, queries: UsageQuery[]): Promise<Array<{ lastAt: Date | null; total: number; today: number }>> {
      if (queries.length === 0) return [];
      const result = await queryRows(
        ex,
        sql`
        select k.ord,
          (select ${ms('max(a.created_at)')} from actions a where a.user_id = k.user_id and a.action_type_id = k.action_type_id) as last_at,
          (select count(*) from (select 1 from actions a where a.user_id = k.user_id and a.action_type_id = k.action_type_id
            limit k.total_cap) t)::float8 as total,
          (select count(*) from (select 1 from actions a where a.user_id = k.user_id and a.action_type_id = k.action_type_id
            and a.created_at >= k.day_start limit k.day_cap) d)::float8 as today
        from unnest(${sql.param(queries.map((q) => q.userId))}::uuid[], ${sql.param(queries.map((q) => q.actionTypeId))}::uuid[],
          ${sql.param(queries.map((q) => q.totalCap))}::int[], ${sql.param(queries.map((q) => q.dayStart.toISOString()))}::timestamptz[],
          ${sql.param(queries.map((q) => q.dayCap))}::int[]) with ordinality as k(user_id, action_type_id, total_cap, day_start, day_cap, ord)`,
      );
      const byOrdinal = new Map(result.map((row) => [Number(row.ord), row]));
      return queries.map((_, index) => {
        const row = byOrdinal.get(index + 1)!;
        return { lastAt: row.last_at === null ? null : new Date(Number(row.last_at)), total: Number(row.total), today: Number(row.today) };
      });
    },

    /** Inserts the batch; rows whose key already exists (a concurrent replay) are skipped and not returned. */
    async insert(
      ex: Executor,
      rows: Array<ActionKey & { metadata: Record<string, unknown> | undefined; scoreEarned: number; result: StoredActionResult; createdAt: Date }>,
    ): Promise<StoredAction[]> {
      if (rows.length === 0) return [];
      const result = await queryRows(
        ex,
        sql`
        insert into actions (user_id, action_type_id, identifier, metadata, score_earned, result, created_at)
        select user_id, action_type_id, identifier, metadata::jsonb, score_earned, result::jsonb, created_at
        from unnest(${keyArrays(rows)}, ${sql.param(rows.map((r) => (r.metadata === undefined ? null : JSON.stringify(r.metadata))))}::text[],
          ${sql.param(rows.map((r) => r.scoreEarned))}::bigint[], ${sql.param(rows.map((r) => JSON.stringify(r.result)))}::text[],
          ${sql.param(rows.map((r) => r.createdAt.toISOString()))}::timestamptz[])
          as k(user_id, action_type_id, identifier, metadata, score_earned, result, created_at)
        on conflict (user_id, action_type_id, identifier) do nothing
        returning id, user_id, action_type_id, identifier, metadata, score_earned::float8 as score_earned, result, ${ms('created_at')} as created_at`,
      );
      return result.map(toStoredAction);
    },

    /** Completes the stored results with the ranks known once the index has the batch. */
    async setResults(ex: Executor, rows: Array<{ id: string; result: StoredActionResult }>): Promise<void> {
      if (rows.length === 0) return;
      await queryRows(
        ex,
        sql`
        update actions a set result = k.result::jsonb
        from unnest(${sql.param(rows.map((r) => r.id))}::uuid[], ${sql.param(rows.map((r) => JSON.stringify(r.result)))}::text[]) as k(id, result)
        where a.id = k.id`,
      );
    },

    async countSince(since: Date): Promise<number> {
      const result = await queryRows(db.read, sql`select count(*)::float8 as n from actions where created_at >= ${since.toISOString()}::timestamptz`);
      return Number(result[0]!.n);
    },

    async countUsers(): Promise<number> {
      const result = await queryRows(db.read, sql`select count(*)::float8 as n from users`);
      return Number(result[0]!.n);
    },
  };
}

export type ActionsStore = ReturnType<typeof createActionsStore>;
