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
     * Adds each delta to its product's totals in one statement, in product id order so that
     * concurrent submissions lock rows in the same order. Products deleted since a previous
     * ranking named them are skipped.
     */
    async applyDeltas(tx: Executor, deltas: TotalsDelta[]): Promise<void> {
      if (deltas.length === 0) return;
      const column = (pick: (delta: TotalsDelta) => string | number) => arrayLiteral(deltas.map(pick));
      await tx.execute(sql`
        insert into ${productRankingStats} (product_id, rankers, position_sum, position_square_sum, points)
        select d.product_id, d.rankers, d.position_sum, d.position_square_sum, d.points
        from unnest(${column((d) => d.key)}::uuid[], ${column((d) => d.rankers)}::int[], ${column((d) => d.positionSum)}::bigint[],
                    ${column((d) => d.positionSquareSum)}::bigint[], ${column((d) => d.points)}::bigint[])
          as d(product_id, rankers, position_sum, position_square_sum, points)
        where exists (select 1 from ${products} p where p.id = d.product_id)
        order by d.product_id
        on conflict (product_id) do update set
          rankers = product_ranking_stats.rankers + excluded.rankers,
          position_sum = product_ranking_stats.position_sum + excluded.position_sum,
          position_square_sum = product_ranking_stats.position_square_sum + excluded.position_square_sum,
          points = product_ranking_stats.points + excluded.points`);
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
