// SQL for page views: one statement per layer of a batch decides which views count (the
// per-user marks), and moves the product counters and the hourly buckets trending reads.
import { sql } from 'drizzle-orm';
import type { Db } from '../../../platform/db/client.js';
import { deleteExpiredInBatches } from '../../../platform/db/retention.js';
import { arrayLiteral, rows } from '../../../platform/db/rows.js';
import { products, productViewCounts, productViewHours, productViewMarks } from '../../../platform/db/schema.js';
import type { View } from './dedup.js';

export function createViewsStore(db: Db) {
  return {
    /**
     * Counts the views (unique per pair, sorted) whose user has no counted view of that product
     * in the window before; returns the pairs that counted. The marks' upsert, the counters and
     * the buckets are one statement, so they commit together.
     */
    async count(views: View[], windowSeconds: number): Promise<Array<{ userId: string; productId: string }>> {
      if (views.length === 0) return [];
      const counted = await rows(
        db,
        sql`
        with incoming as (
          select * from unnest(${arrayLiteral(views.map((view) => view.userId))}::uuid[], ${arrayLiteral(views.map((view) => view.productId))}::uuid[],
                               ${arrayLiteral(views.map((view) => view.at.toISOString()))}::timestamptz[]) as v(user_id, product_id, at)
        ),
        counted as (
          insert into ${productViewMarks} (user_id, product_id, counted_at)
          select user_id, product_id, at from incoming where exists (select 1 from ${products} p where p.id = incoming.product_id)
          order by user_id, product_id
          on conflict (user_id, product_id) do update set counted_at = excluded.counted_at
          where product_view_marks.counted_at <= excluded.counted_at - make_interval(secs => ${windowSeconds})
          returning user_id, product_id, counted_at
        ),
        per_product as (select product_id, count(*)::int as n from counted group by product_id),
        bumped as (
          insert into ${productViewCounts} (product_id, views) select product_id, n from per_product order by product_id
          on conflict (product_id) do update set views = product_view_counts.views + excluded.views
          returning 1
        ),
        buckets as (
          insert into ${productViewHours} (product_id, hour, views)
          select product_id, date_trunc('hour', counted_at, 'UTC'), count(*)::int from counted group by 1, 2 order by 1, 2
          on conflict (product_id, hour) do update set views = product_view_hours.views + excluded.views
          returning 1
        )
        select user_id::text as user_id, product_id::text as product_id from counted`,
      );
      return counted.map((row) => ({ userId: String(row.user_id), productId: String(row.product_id) }));
    },

    /** Sum of the products' counters (all products when none are named): lost-count checks compare it with the oracle. */
    async viewsOf(productIds?: string[]): Promise<number> {
      const only = productIds === undefined ? sql`true` : sql`product_id = any(${arrayLiteral(productIds)}::uuid[])`;
      const [row] = await rows(db, sql`select coalesce(sum(views), 0)::float8 as total from ${productViewCounts} where ${only}`);
      return Number(row?.total ?? 0);
    },

    /** Marks older than the window decide nothing any more; buckets older than trending's day neither. */
    async sweep(now: Date, windowSeconds: number): Promise<number> {
      const bounds = { batchSize: 5000, maxBatches: 20 };
      const marks = await deleteExpiredInBatches(db, {
        table: productViewMarks,
        expired: sql`counted_at < ${now.toISOString()}::timestamptz - make_interval(secs => ${windowSeconds})`,
        ...bounds,
      });
      const hours = await deleteExpiredInBatches(db, {
        table: productViewHours,
        expired: sql`hour < ${now.toISOString()}::timestamptz - interval '25 hours'`,
        ...bounds,
      });
      return marks + hours;
    },
  };
}

export type ViewsStore = ReturnType<typeof createViewsStore>;
