// SQL for category rankings and the per-product totals they move.
import { and, asc, eq, sql } from 'drizzle-orm';
import type { RankingTotals, TotalsDelta } from '../../../domain/borda.js';
import type { Db, Executor, Tx } from '../../../platform/db/client.js';
import { arrayLiteral } from '../../../platform/db/rows.js';
import { productRankings, productRankingStats, products } from '../../../platform/db/schema.js';
import { withTransaction } from '../../../platform/db/transaction.js';

const TOTALS = {
  rankers: sql<number>`coalesce(${productRankingStats.rankers}, 0)`.mapWith(Number),
  positionSum: sql<number>`coalesce(${productRankingStats.positionSum}, 0)`.mapWith(Number),
  positionSquareSum: sql<number>`coalesce(${productRankingStats.positionSquareSum}, 0)`.mapWith(Number),
  points: sql<number>`coalesce(${productRankingStats.points}, 0)`.mapWith(Number),
};

export function createRankingsStore(db: Db) {
  return {
    transaction: <T>(work: (tx: Tx) => Promise<T>) => withTransaction(db, work),

    /** Serialises one user's submissions for one category, the only writes that read their previous ranking. */
    async lockUserCategory(tx: Tx, userId: string, category: string): Promise<void> {
      await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`product-ranking/${userId}/${category}`}, 0))`);
    },

    async currentOrder(userId: string, category: string, ex: Executor = db): Promise<string[] | undefined> {
      const [row] = await ex
        .select({ order: productRankings.order })
        .from(productRankings)
        .where(and(eq(productRankings.userId, userId), eq(productRankings.category, category)));
      return row?.order;
    },

    async saveRanking(tx: Executor, userId: string, category: string, order: string[]): Promise<void> {
      await tx
        .insert(productRankings)
        .values({ userId, category, order })
        .onConflictDoUpdate({ target: [productRankings.userId, productRankings.category], set: { order, updatedAt: sql`now()` } });
    },

    /**
     * Adds each delta to its product's totals, in product id order so that concurrent
     * submissions lock rows in the same order. The rows are made first (a CHECK sees the
     * inserted tuple of an upsert before its conflict, so a negative delta cannot ride an
     * upsert). Products deleted since a previous ranking named them are skipped.
     */
    async applyDeltas(tx: Executor, deltas: TotalsDelta[]): Promise<void> {
      if (deltas.length === 0) return;
      const column = (pick: (delta: TotalsDelta) => string | number) => arrayLiteral(deltas.map(pick));
      const ids = column((d) => d.key);
      await tx.execute(sql`
        insert into ${productRankingStats} (product_id)
        select id from ${products} where id = any(${ids}::uuid[]) order by id
        on conflict (product_id) do nothing`);
      await tx.execute(sql`
        update ${productRankingStats} set
          rankers = product_ranking_stats.rankers + d.rankers,
          position_sum = product_ranking_stats.position_sum + d.position_sum,
          position_square_sum = product_ranking_stats.position_square_sum + d.position_square_sum,
          points = product_ranking_stats.points + d.points
        from unnest(${ids}::uuid[], ${column((d) => d.rankers)}::int[], ${column((d) => d.positionSum)}::bigint[],
                    ${column((d) => d.positionSquareSum)}::bigint[], ${column((d) => d.points)}::bigint[])
          as d(product_id, rankers, position_sum, position_square_sum, points)
        where product_ranking_stats.product_id = d.product_id`);
    },

    async totals(productId: string): Promise<RankingTotals> {
      const [row] = await db.select(TOTALS).from(productRankingStats).where(eq(productRankingStats.productId, productId));
      return row ?? { rankers: 0, positionSum: 0, positionSquareSum: 0, points: 0 };
    },

    /** Every product of the category with its totals, and how many users ranked the category. */
    async categoryTotals(category: string) {
      const [items, [count]] = await Promise.all([
        db
          .select({ productId: products.id, slug: products.slug, name: products.name, ...TOTALS })
          .from(products)
          .leftJoin(productRankingStats, eq(productRankingStats.productId, products.id))
          .where(eq(products.category, category))
          .orderBy(asc(products.name)),
        db
          .select({ rankers: sql<number>`count(*)`.mapWith(Number) })
          .from(productRankings)
          .where(eq(productRankings.category, category)),
      ]);
      return { items, rankers: count?.rankers ?? 0 };
    },
  };
}

export type RankingsStore = ReturnType<typeof createRankingsStore>;
