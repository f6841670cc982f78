// SQL for the catalog: products, search, lists and the search log.
import { and, asc, desc, eq, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../platform/db/client.js';
import { arrayLiteral } from '../../platform/db/rows.js';
import { productRankingStats, products, productSearches, productViewHours } from '../../platform/db/schema.js';
import { withTransaction } from '../../platform/db/transaction.js';

export type ProductRow = typeof products.$inferSelect;
export type NewProduct = Pick<typeof products.$inferInsert, 'slug' | 'name' | 'brand' | 'category' | 'imageUrl' | 'attributes' | 'createdBy'>;
export type ProductPatch = Partial<Pick<NewProduct, 'slug' | 'name' | 'brand' | 'category' | 'imageUrl' | 'attributes'>>;

export type ListSort = 'name' | 'newest' | 'top' | 'trending';
export type SearchSort = 'relevance' | ListSort;

export interface ListQuery {
  category?: string;
  sort: ListSort;
  limit: number;
  offset: number;
  /** Trending counts views up to this instant. */
  now: Date;
}

export interface SearchQuery {
  q: string;
  category?: string;
  sort: SearchSort;
  limit: number;
  offset: number;
}

export interface ListedRow {
  product: ProductRow;
  /** Relevance, Borda points or trending score, by the sort; null when sorted by name or age. */
  score: number | null;
  /** Every match of the query, not only this page. */
  total: number;
}

/**
 * Word similarity (query against name + brand) that still counts as a match: 0.4 lets one
 * wrong, missing or extra letter in a word of about eight through ("hedphones"), where the
 * extension's default of 0.6 does not.
 */
export const WORD_SIMILARITY_THRESHOLD = 0.4;

/** Trending halves a view's weight every this many hours, over the last 24. */
export const TRENDING_HALF_LIFE_HOURS = 6;

const PRODUCT_COLUMNS = {
  id: products.id,
  slug: products.slug,
  name: products.name,
  brand: products.brand,
  category: products.category,
  imageUrl: products.imageUrl,
  attributes: products.attributes,
  views: products.views,
  createdBy: products.createdBy,
  createdAt: products.createdAt,
  updatedAt: products.updatedAt,
};

const trendingScores = (now: Date) => sql`(
  select product_id, sum(views * power(0.5, extract(epoch from (${now.toISOString()}::timestamptz - hour)) / ${TRENDING_HALF_LIFE_HOURS * 3600}))::float8 as score
  from ${productViewHours}
  where hour > ${now.toISOString()}::timestamptz - interval '24 hours'
  group by product_id)`;

export function createProductsStore(db: Db) {
  return {
    async insert(values: NewProduct): Promise<ProductRow> {
      const [row] = await db.insert(products).values(values).returning(PRODUCT_COLUMNS);
      return row as ProductRow;
    },

    /** Inserts the rows whose slug is free; returns the slugs it inserted (the rest were taken). */
    async insertMany(rows: NewProduct[]): Promise<Set<string>> {
      if (rows.length === 0) return new Set();
      const inserted = await db.insert(products).values(rows).onConflictDoNothing({ target: products.slug }).returning({ slug: products.slug });
      return new Set(inserted.map((row) => row.slug));
    },

    async find(id: string): Promise<ProductRow | undefined> {
      const [row] = await db.select(PRODUCT_COLUMNS).from(products).where(eq(products.id, id));
      return row as ProductRow | undefined;
    },

    async findBySlug(slug: string): Promise<ProductRow | undefined> {
      const [row] = await db.select(PRODUCT_COLUMNS).from(products).where(eq(products.slug, slug));
      return row as ProductRow | undefined;
    },

    async update(id: string, patch: ProductPatch): Promise<ProductRow | undefined> {
      const [row] = await db
        .update(products)
        .set({ ...patch, updatedAt: sql`now()` })
        .where(eq(products.id, id))
        .returning(PRODUCT_COLUMNS);
      return row as ProductRow | undefined;
    },

    async delete(id: string): Promise<boolean> {
      return (await db.delete(products).where(eq(products.id, id)).returning({ id: products.id })).length > 0;
    },

    /** Ids of the products in a category, for validating rankings. */
    async categoryMembers(category: string): Promise<string[]> {
      const rows = await db.select({ id: products.id }).from(products).where(eq(products.category, category));
      return rows.map((row) => row.id);
    },

    async list({ category, sort, limit, offset, now }: ListQuery): Promise<ListedRow[]> {
      const where = category === undefined ? undefined : eq(products.category, category);
      const total = sql<number>`count(*) over ()`.mapWith(Number);
      if (sort === 'trending') {
        const trending = sql`trending`;
        const rows = await db
          .select({ product: PRODUCT_COLUMNS, score: sql<number>`${trending}.score`.mapWith(Number), total })
          .from(products)
          .innerJoin(sql`${trendingScores(now)} as ${trending}`, sql`${trending}.product_id = ${products.id}`)
          .where(where)
          .orderBy(sql`${trending}.score desc`, asc(products.name))
          .limit(limit)
          .offset(offset);
        return rows as ListedRow[];
      }
      if (sort === 'top') {
        const rows = await db
          .select({ product: PRODUCT_COLUMNS, score: sql<number>`coalesce(${productRankingStats.points}, 0)`.mapWith(Number), total })
          .from(products)
          .leftJoin(productRankingStats, eq(productRankingStats.productId, products.id))
          .where(where)
          .orderBy(sql`coalesce(${productRankingStats.points}, 0) desc`, asc(products.name))
          .limit(limit)
          .offset(offset);
        return rows as ListedRow[];
      }
      const order: SQL[] = sort === 'newest' ? [desc(products.createdAt), asc(products.id)] : [asc(products.name), asc(products.id)];
      const rows = await db
        .select({ product: PRODUCT_COLUMNS, total })
        .from(products)
        .where(where)
        .orderBy(...order)
        .limit(limit)
        .offset(offset);
      return rows.map((row) => ({ ...row, score: null }) as ListedRow);
    },

    /**
     * Full text (stemmed words, websearch syntax) or trigram word similarity (typos), scored by
     * the sum of both. Both conditions have a GIN index, so the planner ORs two bitmap scans
     * instead of reading the table. The threshold is a setting, so it is set for this
     * transaction only.
     */
    async search({ q, category, sort, limit, offset }: SearchQuery): Promise<ListedRow[]> {
      return withTransaction(db, async (tx) => {
        await tx.execute(sql`select set_config('pg_trgm.word_similarity_threshold', ${String(WORD_SIMILARITY_THRESHOLD)}, true)`);
        const query = sql`websearch_to_tsquery('english', ${q})`;
        const raw = sql`lower(${q})`;
        const relevance = sql<number>`(ts_rank(${products.search}, ${query}) + word_similarity(${raw}, ${products.searchText}))::float8`;
        const matches = sql`(${products.search} @@ ${query} or ${raw} <% ${products.searchText})`;
        const where = category === undefined ? matches : and(matches, eq(products.category, category));
        const order: SQL[] =
          sort === 'name'
            ? [asc(products.name)]
            : sort === 'newest'
              ? [desc(products.createdAt)]
              : sort === 'top'
                ? [sql`coalesce(${productRankingStats.points}, 0) desc`]
                : [sql`${relevance} desc`];
        // Trending over a search is the relevance order: a search answers "which", not "what is hot".
        const rows = await tx
          .select({ product: PRODUCT_COLUMNS, score: relevance.mapWith(Number), total: sql<number>`count(*) over ()`.mapWith(Number) })
          .from(products)
          .leftJoin(productRankingStats, eq(productRankingStats.productId, products.id))
          .where(where)
          .orderBy(...order, asc(products.id))
          .limit(limit)
          .offset(offset);
        return rows as ListedRow[];
      });
    },

    async logSearches(entries: Array<{ userId: string | null; query: string; category: string | null; results: number }>): Promise<void> {
      if (entries.length === 0) return;
      await db.execute(sql`
        insert into ${productSearches} (user_id, query, category, results)
        select nullif(user_id, '')::uuid, query, nullif(category, ''), results from unnest(
          ${arrayLiteral(entries.map((entry) => entry.userId ?? ''))}::text[], ${arrayLiteral(entries.map((entry) => entry.query))}::text[],
          ${arrayLiteral(entries.map((entry) => entry.category ?? ''))}::text[], ${arrayLiteral(entries.map((entry) => entry.results))}::int[])
          as logged(user_id, query, category, results)`);
    },

    /** The most frequent queries since `since`, case and surrounding space ignored. */
    async popularSearches(since: Date, limit: number): Promise<Array<{ query: string; searches: number; lastResults: number }>> {
      const normalized = sql<string>`lower(trim(${productSearches.query}))`;
      return db
        .select({
          query: normalized,
          searches: sql<number>`count(*)`.mapWith(Number),
          lastResults: sql<number>`(array_agg(${productSearches.results} order by ${productSearches.id} desc))[1]`.mapWith(Number),
        })
        .from(productSearches)
        .where(sql`${productSearches.createdAt} >= ${since.toISOString()}::timestamptz`)
        .groupBy(normalized)
        .orderBy(sql`count(*) desc`, normalized)
        .limit(limit);
    },
  };
}

export type ProductsStore = ReturnType<typeof createProductsStore>;
