// The catalog: products, lists and search, cached for 30 minutes and invalidated on change;
// every search is logged in batches for "popular searches".
import type { Logger } from 'pino';
import type { Actor } from '../../domain/accounts.js';
import { isUuid } from '../../domain/ids.js';
import { AppError } from '../../errors.js';
import { createBatcher } from '../../platform/batch.js';
import type { Cache } from '../../platform/cache/port.js';
import { pgErrorInfo, UNIQUE_VIOLATION } from '../../platform/db/errors.js';
import { csvRows, isRowError, validateRows, type RowError } from './import.js';
import { categoryTag, PRODUCT_LISTS_TAG, productTag, RANKED_LISTS_TAG } from './keys.js';
import type { ProductInput, ProductPatch } from './schemas.js';
import { searchWords, type ProductRow, type ProductsStore, type SearchCandidate, type SearchSort } from './store.js';

export const CATALOG_TTL_SECONDS = 30 * 60;
/** Trending moves with every view batch, so its lists live shorter than the rest. */
export const TRENDING_TTL_SECONDS = 60;
const IMPORT_CHUNK = 1000;

export interface Product {
  id: string;
  slug: string;
  name: string;
  brand: string | null;
  category: string;
  imageUrl: string | null;
  attributes: Record<string, unknown>;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface ProductList {
  items: Array<{ product: Product; score: number | null }>;
  total: number;
}

export interface ListInput {
  q?: string;
  category?: string;
  sort?: SearchSort;
  limit: number;
  offset: number;
}

export interface ImportReport {
  imported: number;
  errors: RowError[];
}

export interface CatalogDeps {
  store: ProductsStore;
  cache: Cache;
  log: Logger;
  now: () => Date;
}

const toProduct = (row: ProductRow): Product => ({
  id: row.id,
  slug: row.slug,
  name: row.name,
  brand: row.brand,
  category: row.category,
  imageUrl: row.imageUrl,
  attributes: row.attributes,
  createdBy: row.createdBy,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

function slugTaken(error: unknown, slug: string | undefined): never {
  const info = pgErrorInfo(error);
  if (info?.code === UNIQUE_VIOLATION && info.constraint === 'products_slug_key') {
    throw new AppError('PRODUCT_SLUG_TAKEN', `A product with slug '${slug}' already exists`);
  }
  throw error;
}

export function createCatalogService({ store, cache, log, now }: CatalogDeps) {
  // A search page reads up to 20 products at once: their misses are fetched in one statement.
  const productsById = createBatcher<string, ProductRow | null>({
    name: 'product-loads',
    maxItems: 100,
    maxWaitMs: 1,
    concurrency: 2,
    run: async (ids) => {
      const found = new Map((await store.findMany([...new Set(ids)])).map((row) => [row.id, row]));
      return ids.map((id) => found.get(id) ?? null);
    },
  });
  const byIdOrSlug = cache.define({
    name: 'product',
    ttlSeconds: CATALOG_TTL_SECONDS,
    load: async (idOrSlug: string): Promise<Product | null> => {
      const row = isUuid(idOrSlug) ? await productsById.add(idOrSlug) : await store.findBySlug(idOrSlug);
      return row ? toProduct(row) : null;
    },
    tags: (_key, product) => (product ? [productTag(product.id)] : [PRODUCT_LISTS_TAG]),
  });
  // Corrections change only when the vocabulary does; searches repeat words all day.
  const corrections = cache.define({
    name: 'product-search-corrections',
    ttlSeconds: CATALOG_TTL_SECONDS,
    load: (word: string) => store.corrections(word),
    tags: () => [PRODUCT_LISTS_TAG],
  });
  const searchTerms = (q: string) => Promise.all(searchWords(q).map(async (word) => [word, ...(await corrections.get(word)).value]));
  // Cached per query, not per page or order: every page and sort of a query reads the same
  // candidates, and each page's products come from the product cache above.
  const candidates = cache.define({
    name: 'product-search',
    ttlSeconds: CATALOG_TTL_SECONDS,
    load: (query: { terms: string[][]; category?: string }) => store.searchCandidates(query),
    tags: () => [PRODUCT_LISTS_TAG],
  });
  const search = async ({
    q,
    category,
    sort = 'relevance',
    limit,
    offset,
  }: ListInput & { q: string }): Promise<ProductList & { cached: boolean }> => {
    const { value: found, hit } = await candidates.get({ terms: await searchTerms(q), category });
    // Points move with every ranking, so `top` reads them fresh rather than caching them with the candidates.
    const points = sort === 'top' ? await store.pointsOf(found.map((candidate) => candidate.id)) : new Map<string, number>();
    const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    const compare: Record<SearchSort, (a: SearchCandidate, b: SearchCandidate) => number> = {
      relevance: (a, b) => b.score - a.score,
      name: (a, b) => byText(a.name, b.name),
      newest: (a, b) => b.createdAt - a.createdAt,
      top: (a, b) => (points.get(b.id) ?? 0) - (points.get(a.id) ?? 0),
      // Trending over a search is the relevance order: a search answers "which", not "what is hot".
      trending: (a, b) => b.score - a.score,
    };
    const page = [...found].sort((a, b) => compare[sort](a, b) || byText(a.id, b.id)).slice(offset, offset + limit);
    const products = await Promise.all(page.map(async (candidate) => (await byIdOrSlug.get(candidate.id)).value));
    // A product deleted since the candidates were cached has dropped them already (its tag); one deleted meanwhile is skipped.
    const items = page.flatMap((candidate, index) => (products[index] ? [{ product: products[index], score: candidate.score }] : []));
    return { items, total: found.length, cached: hit };
  };
  const loadList = async ({ category, sort, limit, offset }: ListInput): Promise<ProductList> => {
    const rows = await store.list({ category, sort: (sort === 'relevance' ? undefined : sort) ?? 'name', limit, offset, now: now() });
    return { items: rows.map((row) => ({ product: toProduct(row.product), score: row.score })), total: rows[0]?.total ?? 0 };
  };
  const lists = cache.define({
    name: 'product-lists',
    ttlSeconds: CATALOG_TTL_SECONDS,
    load: loadList,
    tags: (input) => [PRODUCT_LISTS_TAG, ...(input.sort === 'top' ? [RANKED_LISTS_TAG] : [])],
  });
  const trending = cache.define({ name: 'product-trending', ttlSeconds: TRENDING_TTL_SECONDS, load: loadList, tags: () => [PRODUCT_LISTS_TAG] });
  const members = cache.define({
    name: 'product-category',
    ttlSeconds: CATALOG_TTL_SECONDS,
    load: (category: string) => store.categoryMembers(category),
    tags: (category) => [categoryTag(category)],
  });

  const searchLog = createBatcher<{ userId: string | null; query: string; category: string | null; results: number }, void>({
    name: 'product-searches',
    maxItems: 500,
    maxWaitMs: 50,
    run: async (entries) => {
      await store.logSearches(entries);
      return entries.map(() => undefined);
    },
  });

  const get = async (idOrSlug: string): Promise<Product> => {
    const product = (await byIdOrSlug.get(idOrSlug)).value;
    if (!product) throw new AppError('NOT_FOUND', `No product ${idOrSlug}`);
    return product;
  };

  const owned = async (actor: Actor, id: string): Promise<Product> => {
    const product = await get(id);
    if (actor.role !== 'admin' && product.createdBy !== actor.id)
      throw new AppError('FORBIDDEN', 'Only its creator or an admin may change this product');
    return product;
  };

  const changed = (...categories: string[]) => cache.invalidate([PRODUCT_LISTS_TAG, ...categories.map(categoryTag)]);

  return {
    get,

    async create(actor: Actor, input: ProductInput): Promise<Product> {
      const row = await store
        .insert({ ...input, brand: input.brand ?? null, imageUrl: input.imageUrl ?? null, attributes: input.attributes ?? {}, createdBy: actor.id })
        .catch((error: unknown) => slugTaken(error, input.slug));
      await changed(row.category);
      return toProduct(row);
    },

    async update(actor: Actor, idOrSlug: string, patch: ProductPatch): Promise<Product> {
      const before = await owned(actor, idOrSlug);
      const row = await store.update(before.id, patch).catch((error: unknown) => slugTaken(error, patch.slug));
      if (!row) throw new AppError('NOT_FOUND', `No product ${idOrSlug}`);
      await cache.invalidate(productTag(before.id));
      await changed(before.category, row.category);
      return toProduct(row);
    },

    async remove(actor: Actor, idOrSlug: string): Promise<void> {
      const product = await owned(actor, idOrSlug);
      if (!(await store.delete(product.id))) throw new AppError('NOT_FOUND', `No product ${idOrSlug}`);
      await cache.invalidate(productTag(product.id));
      await changed(product.category);
    },

    /** Imports every valid row whose slug is free; every other row is reported with its reason. */
    async import(actor: Actor, input: { csv: string } | { products: unknown[] }): Promise<ImportReport> {
      let raw: Array<Record<string, unknown> | RowError>;
      if ('csv' in input) {
        try {
          raw = csvRows(input.csv);
        } catch (error) {
          throw new AppError('VALIDATION_FAILED', `The CSV cannot be read: ${(error as Error).message}`, {
            errors: [{ field: '/csv', message: (error as Error).message }],
          });
        }
      } else {
        raw = input.products.map((row, index) =>
          typeof row === 'object' && row !== null && !Array.isArray(row)
            ? (row as Record<string, unknown>)
            : { row: index + 1, code: 'VALIDATION_FAILED' as const, message: 'a row must be an object' },
        );
      }
      const checked = validateRows(raw);
      const errors = checked.filter(isRowError);
      const valid = checked.flatMap((row, index) => (isRowError(row) ? [] : [{ row, index }]));
      let imported = 0;
      const categories = new Set<string>();
      for (let start = 0; start < valid.length; start += IMPORT_CHUNK) {
        const chunk = valid.slice(start, start + IMPORT_CHUNK);
        const inserted = await store.insertMany(
          chunk.map(({ row }) => ({
            ...row,
            brand: row.brand ?? null,
            imageUrl: row.imageUrl ?? null,
            attributes: row.attributes ?? {},
            createdBy: actor.id,
          })),
        );
        for (const { row, index } of chunk) {
          if (inserted.has(row.slug)) {
            imported++;
            categories.add(row.category);
          } else
            errors.push({ row: index + 1, slug: row.slug, code: 'PRODUCT_SLUG_TAKEN', message: `A product with slug '${row.slug}' already exists` });
        }
      }
      if (imported > 0) await changed(...categories);
      errors.sort((a, b) => a.row - b.row);
      return { imported, errors };
    },

    /** A list or a search; a search is logged (user, query, number of matches) off the caller's path. */
    async list(input: ListInput, userId: string | null): Promise<ProductList & { cached: boolean }> {
      if (input.q === undefined) {
        const { value, hit } = await (input.sort === 'trending' ? trending : lists).get(input);
        return { ...value, cached: hit };
      }
      const found = await search({ ...input, q: input.q });
      searchLog
        .add({ userId, query: input.q, category: input.category ?? null, results: found.total })
        .catch((error: unknown) => log.warn({ err: error }, 'could not log a search'));
      return found;
    },

    /** Product ids of a category (cached; invalidated when a product joins or leaves it). */
    async categoryMembers(category: string): Promise<string[]> {
      return (await members.get(category)).value;
    },

    async popularSearches(days: number, limit: number) {
      return store.popularSearches(new Date(now().getTime() - days * 86_400_000), limit);
    },

    async close(): Promise<void> {
      await searchLog.close();
      await productsById.close();
    },
  };
}

export type CatalogService = ReturnType<typeof createCatalogService>;
