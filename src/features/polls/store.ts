// SQL for polls, rankings and their per-item totals.
import { and, eq, sql } from 'drizzle-orm';
import type { Db, Executor, Tx } from '../../platform/db/client.js';
import { pollItemTotals, pollRankings, polls } from '../../platform/db/schema.js';
import type { PollItem } from '../../domain/polls.js';
import { withTransaction } from '../../platform/db/transaction.js';

export type PollRow = typeof polls.$inferSelect;

export interface PollTotals {
  poll: PollRow;
  /** Item key -> sum of its 1-based positions over the current rankings. */
  positionSums: Map<string, number>;
}

export function createPollsStore(db: Db) {
  return {
    transaction: <T>(work: (tx: Tx) => Promise<T>) => withTransaction(db, work),

    async create(values: { title: string; items: PollItem[]; createdBy: string }): Promise<PollRow> {
      return withTransaction(db, async (tx) => {
        const [poll] = await tx.insert(polls).values(values).returning();
        await tx.insert(pollItemTotals).values(values.items.map((item) => ({ pollId: poll!.id, itemKey: item.key })));
        return poll!;
      });
    },

    async find(id: string): Promise<PollRow | undefined> {
      const [row] = await db.select().from(polls).where(eq(polls.id, id));
      return row;
    },

    /** Locks the poll row: every ranking of one poll queues here, so totals never interleave or deadlock. */
    async lock(tx: Tx, id: string): Promise<PollRow | undefined> {
      const [row] = await tx.select().from(polls).where(eq(polls.id, id)).for('update');
      return row;
    },

    async currentOrder(tx: Executor, pollId: string, userId: string): Promise<string[] | undefined> {
      const [row] = await tx
        .select({ order: pollRankings.order })
        .from(pollRankings)
        .where(and(eq(pollRankings.pollId, pollId), eq(pollRankings.userId, userId)));
      return row?.order;
    },

    async saveRanking(tx: Executor, pollId: string, userId: string, order: string[]): Promise<void> {
      await tx
        .insert(pollRankings)
        .values({ pollId, userId, order })
        .onConflictDoUpdate({ target: [pollRankings.pollId, pollRankings.userId], set: { order, updatedAt: sql`now()` } });
    },

    /** Adds each delta to its item's position sum, in one statement. */
    async addPositions(tx: Executor, pollId: string, deltas: Array<{ key: string; delta: number }>): Promise<void> {
      if (deltas.length === 0) return;
      const rows = sql.join(
        deltas.map(({ key, delta }) => sql`(${key}::text, ${delta}::bigint)`),
        sql`, `,
      );
      await tx.execute(sql`
        update ${pollItemTotals} set position_sum = ${pollItemTotals.positionSum} + d.delta
        from (values ${rows}) as d(item_key, delta)
        where ${pollItemTotals.pollId} = ${pollId} and ${pollItemTotals.itemKey} = d.item_key`);
    },

    async bumpVersion(tx: Executor, pollId: string, newVoters: number): Promise<{ version: number; voters: number }> {
      const [row] = await tx
        .update(polls)
        .set({ version: sql`${polls.version} + 1`, voters: sql`${polls.voters} + ${newVoters}` })
        .where(eq(polls.id, pollId))
        .returning({ version: polls.version, voters: polls.voters });
      return row!;
    },

    /**
     * The poll and its totals as of one snapshot (one statement). Public results may come from
     * the replica; `fresh` reads the primary, for what must carry the latest rankings.
     */
    async totals(pollId: string, { fresh = false } = {}): Promise<PollTotals | undefined> {
      const rows = await (fresh ? db : db.read)
        .select({ poll: polls, itemKey: pollItemTotals.itemKey, positionSum: pollItemTotals.positionSum })
        .from(polls)
        .innerJoin(pollItemTotals, eq(pollItemTotals.pollId, polls.id))
        .where(eq(polls.id, pollId));
      if (rows.length === 0) return undefined;
      return { poll: rows[0]!.poll, positionSums: new Map(rows.map((row) => [row.itemKey, row.positionSum])) };
    },
  };
}

export type PollsStore = ReturnType<typeof createPollsStore>;
