// SQL for the catalog: products, search, lists and the search log.
import { asc, desc, eq, sql, type SQL } from 'drizzle-orm';
import type { Db, Executor } from '../../platform/db/client.js';
import { arrayLiteral, epochMs, rows } from '../../platform/db/rows.js';
import { productRankingStats, products, productSearches, productViewHours, productWords } from '../../platform/db/schema.js';

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

/** The distinct words of a query, at most MAX_SEARCH_WORDS. */
export function searchWords(q: string): string[] {
  return [...new Set(q.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])].slice(0, MAX_SEARCH_WORDS);
}

/** A search match, with what its sorts need. */
export interface SearchCandidate {
  id: string;
  score: number;
  name: string;
  /** Epoch milliseconds. */
  createdAt: number;
}

export interface ListedRow {
  product: ProductRow;
  /** Relevance, Borda points or trending score, by the sort; null when sorted by name or age. */
  score: number | null;
  /** Every match of the query, not only this page. */
  total: number;
}

/**
 * Trigram similarity of a search word and a vocabulary word that still counts as a correction:
 * 0.4 lets one wrong, missing or extra letter in a word of about eight through ("hedphones"),
 * and keeps unrelated words out better than the extension's default of 0.3.
 */
export const SIMILARITY_THRESHOLD = 0.4;
const CORRECTIONS_PER_WORD = 3;
const MAX_SEARCH_WORDS = 8;

/** A search ranks the first this many matches; `total` counts at most these. */
export const SEARCH_CANDIDATES = 100;

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
  createdBy: products.createdBy,
  createdAt: products.createdAt,
  updatedAt: products.updatedAt,
};

const trendingScores = (now: Date) => sql`(
  select product_id, sum(views * power(0.5, extract(epoch from (${now.toISOString()}::timestamptz - hour)) / ${TRENDING_HALF_LIFE_HOURS * 3600}))::float8 as score
  from ${productViewHours}
  where hour > ${now.toISOString()}::timestamptz - interval '24 hours'
  group by product_id)`;

/** Adds the words of these products (all products when none are named) to the search vocabulary; numbers are no words to correct to. */
export async function addWords(ex: Executor, productIds?: string[]): Promise<void> {
  if (productIds?.length === 0) return;
  const only = productIds === undefined ? sql`` : sql`where p.id = any(${arrayLiteral(productIds)}::uuid[])`;
  await ex.execute(sql`
    insert into ${productWords} (word)
    select distinct word from ${products} p,
      regexp_split_to_table(lower(p.name || ' ' || coalesce(p.brand, '') || ' ' || p.category), '[^[:alnum:]]+') as word
    ${only} ${productIds === undefined ? sql`where` : sql`and`} length(word) >= 3 and word !~ '^[0-9]+$'
    on conflict do nothing`);
}

export function createProductsStore(db: Db) {
  return {
    async insert(values: NewProduct): Promise<ProductRow> {
      const [row] = await db.insert(products).values(values).returning(PRODUCT_COLUMNS);
      await addWords(db, [row!.id]);
      return row as ProductRow;
    },

    /** Inserts the rows whose slug is free; returns the slugs it inserted (the rest were taken). */
    async insertMany(rows: NewProduct[]): Promise<Set<string>> {
      if (rows.length === 0) return new Set();
      const inserted = await db.insert(products).values(rows).onConflictDoNothing({ target: products.slug }).returning({ slug: products.slug });
      return new Set(inserted.map((row) => row.slug));
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
      if (row) await addWords(db, [row.id]);
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
        const rows = await db.read
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
        const rows = await db.read
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
      const rows = await db.read
        .select({ product: PRODUCT_COLUMNS, total })
        .from(products)
        .where(where)
        .orderBy(...order)
        .limit(limit)
        .offset(offset);
      return rows.map((row) => ({ ...row, score: null }) as ListedRow);
    },

    /**
     * Up to CORRECTIONS_PER_WORD vocabulary words close to `word` by trigram similarity
     * ("hedphones" -> headphones); none under 3 letters. The vocabulary is a few thousand rows,
     * so this costs a millisecond where trigram matching every product's name cost hundreds
     * (measured on 100,000 products). `%` lets the GIN index find the words at the extension's
     * default threshold (0.3), and the filter keeps those at SIMILARITY_THRESHOLD: one
     * statement, where setting the threshold took a transaction of four.
     */
    async corrections(word: string): Promise<string[]> {
      if (word.length < 3) return [];
      const similar = await rows(
        db.read,
        sql`select word from ${productWords}
            where word % ${word} and similarity(word, ${word}) >= ${SIMILARITY_THRESHOLD} and word <> ${word}
            order by word <-> ${word}, word limit ${CORRECTIONS_PER_WORD}`,
      );
      return similar.map((row) => String(row.word));
    },

    /**
     * Full text: `terms` holds, per word of the query, the word and its corrections, and every
     * word must match one of its terms. The first SEARCH_CANDIDATES matches of the full-text
     * index are ranked (ts_rank); scoring every match of a common word would cost about 150 ms
     * per 8,000 on PGlite. Only what sorting needs comes back (id, score, name, age): the page's
     * products are read by id afterwards, since carrying 100 whole rows out of PGlite cost five
     * times a 20-row page (measured).
     */
    async searchCandidates({ terms, category }: { terms: string[][]; category?: string }): Promise<SearchCandidate[]> {
      if (terms.length === 0) return [];
      const query = sql.join(
        terms.map(
          (alternatives) =>
            sql`(${sql.join(
              alternatives.map((term) => sql`plainto_tsquery('english', ${term})`),
              sql` || `,
            )})`,
        ),
        sql` && `,
      );
      const inCategory = category === undefined ? sql`` : sql`and category = ${category}`;
      const found = await rows(
        db.read,
        sql`select id::text as id, ts_rank(search, ${query})::float8 as score, name, ${epochMs(sql`created_at`)} as created_at
            from ${products} where search @@ (${query}) ${inCategory} limit ${SEARCH_CANDIDATES}`,
      );
      return found.map((row) => ({ id: String(row.id), score: Number(row.score), name: String(row.name), createdAt: Number(row.created_at) }));
    },

    /** Borda points of these products (0 when unranked), for sorting search candidates by `top`. */
    async pointsOf(productIds: string[]): Promise<Map<string, number>> {
      if (productIds.length === 0) return new Map();
      const found = await db.read
        .select({ id: productRankingStats.productId, points: productRankingStats.points })
        .from(productRankingStats)
        .where(sql`${productRankingStats.productId} = any(${arrayLiteral(productIds)}::uuid[])`);
      return new Map(found.map((row) => [row.id, Number(row.points)]));
    },

    /** The products with these ids, in no particular order; deleted ones are left out. */
    async findMany(productIds: string[]): Promise<ProductRow[]> {
      if (productIds.length === 0) return [];
      const found = await db.read
        .select(PRODUCT_COLUMNS)
        .from(products)
        .where(sql`${products.id} = any(${arrayLiteral(productIds)}::uuid[])`);
      return found as ProductRow[];
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
