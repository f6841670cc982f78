// Tables for products, their rankings, views and searches. Ranking stats are per-product
// aggregates moved in the same transaction as the rankings that change them; view counts are
// moved by the batch that decides which views count. Search reads a generated tsvector (full
// text) and corrects typos against product_words, the catalogue's vocabulary under a trigram index.
import { sql } from 'drizzle-orm';
import { bigint, check, customType, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from './accounts.js';

const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

export const products = pgTable(
  'products',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    slug: text('slug').notNull().unique('products_slug_key'),
    name: text('name').notNull(),
    brand: text('brand'),
    category: text('category').notNull(),
    imageUrl: text('image_url'),
    attributes: jsonb('attributes').$type<Record<string, unknown>>().notNull().default({}),
    // Who may edit it (with admins).
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    search: tsvector('search')
      .notNull()
      .generatedAlwaysAs(
        sql`setweight(to_tsvector('english'::regconfig, name), 'A') || setweight(to_tsvector('english'::regconfig, coalesce(brand, '')), 'B') || setweight(to_tsvector('english'::regconfig, category), 'C')`,
      ),
  },
  (t) => [
    index('products_category_name_idx').on(t.category, t.name),
    index('products_created_at_idx').on(t.createdAt),
    index('products_search_idx').using('gin', t.search),
  ],
);

/** One current ranking per user per category: the primary key. */
export const productRankings = pgTable(
  'product_rankings',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    category: text('category').notNull(),
    // Product ids, best first.
    order: jsonb('order').$type<string[]>().notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.category] })],
);

// Per product, over the current rankings that name it: how many, the sums of its positions and
// their squares (average and its confidence interval), and its Borda points.
export const productRankingStats = pgTable(
  'product_ranking_stats',
  {
    productId: uuid('product_id')
      .primaryKey()
      .references(() => products.id, { onDelete: 'cascade' }),
    rankers: integer('rankers').notNull().default(0),
    positionSum: bigint('position_sum', { mode: 'number' }).notNull().default(0),
    positionSquareSum: bigint('position_square_sum', { mode: 'number' }).notNull().default(0),
    points: bigint('points', { mode: 'number' }).notNull().default(0),
  },
  (t) => [check('product_ranking_stats_non_negative', sql`${t.rankers} >= 0 and ${t.positionSum} >= 0 and ${t.points} >= 0`)],
);

/** When each user's view of each product last counted; a view within the window after it does not. */
export const productViewMarks = pgTable(
  'product_view_marks',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    productId: uuid('product_id')
      .notNull()
      .references(() => products.id, { onDelete: 'cascade' }),
    countedAt: timestamp('counted_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.productId] }), index('product_view_marks_counted_at_idx').on(t.countedAt)],
);

/**
 * Deduplicated views per product, moved once per view batch. A table of its own: updating the
 * products row would recompute its generated tsvector and touch its indexes on every batch.
 */
export const productViewCounts = pgTable(
  'product_view_counts',
  {
    productId: uuid('product_id')
      .primaryKey()
      .references(() => products.id, { onDelete: 'cascade' }),
    views: bigint('views', { mode: 'number' }).notNull(),
  },
  (t) => [check('product_view_counts_positive', sql`${t.views} > 0`)],
);

/** Counted views per product per hour: what "trending" decays over. */
export const productViewHours = pgTable(
  'product_view_hours',
  {
    productId: uuid('product_id')
      .notNull()
      .references(() => products.id, { onDelete: 'cascade' }),
    hour: timestamp('hour', { withTimezone: true }).notNull(),
    views: integer('views').notNull(),
  },
  (t) => [primaryKey({ columns: [t.productId, t.hour] }), index('product_view_hours_hour_idx').on(t.hour)],
);

/** Every search, for "popular searches"; written in batches. */
export const productSearches = pgTable(
  'product_searches',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'set null' }),
    query: text('query').notNull(),
    category: text('category'),
    results: integer('results').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('product_searches_created_at_idx').on(t.createdAt)],
);

/**
 * Every word of every product's name, brand and category, once: what a misspelt search word is
 * matched against by trigram similarity. Words of deleted products stay; they only ever
 * suggest a term that matches nothing.
 */
export const productWords = pgTable('product_words', { word: text('word').primaryKey() }, (t) => [
  index('product_words_word_trgm_idx').using('gin', sql`${t.word} gin_trgm_ops`),
]);
