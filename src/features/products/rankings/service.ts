// Category rankings: one current ranking per user per category, totals moved by the
// difference in the ranking's own transaction (the poll machinery of domain/borda.ts), stats
// cached for 30 minutes and pushed live on board:ranking:<category>.
import type { Logger } from 'pino';
import { orderProblem, rankingStats, totalsDeltas, type RankingStats } from '../../../domain/borda.js';
import { AppError } from '../../../errors.js';
import type { Cache } from '../../../platform/cache/port.js';
import { createCoalescer } from '../../../platform/push/coalescer.js';
import type { Push } from '../../../platform/push/port.js';
import { productStatsTag, RANKED_LISTS_TAG, rankingChannel, rankingTag } from '../keys.js';
import type { RankingsStore } from './store.js';

export const STATS_TTL_SECONDS = 30 * 60;
export const STATS_PUSH_INTERVAL_MS = 250;

export interface CategoryStats {
  category: string;
  /** Users with a current ranking of this category. */
  rankers: number;
  /** Best first: by Borda score, then name. */
  items: Array<{ productId: string; slug: string; name: string } & RankingStats>;
}

export interface RankingsDeps {
  store: RankingsStore;
  cache: Cache;
  push: Pick<Push, 'toChannel'>;
  log: Logger;
  /** The catalog's cached ids of a category's products. */
  categoryMembers: (category: string) => Promise<string[]>;
  /** Called after each committed submission: the activity log. */
  onRanked: (submission: { userId: string; category: string; products: number; replaced: boolean }) => void;
}

function invalidOrder(message: string): AppError {
  return new AppError('VALIDATION_FAILED', message, { errors: [{ field: '/order', message }] });
}

export function createRankingsService({ store, cache, push, log, categoryMembers, onRanked }: RankingsDeps) {
  const loadCategory = async (category: string): Promise<CategoryStats> => {
    const { items, rankers } = await store.categoryTotals(category);
    const ranked = items.map(({ productId, slug, name, ...totals }) => ({ productId, slug, name, ...rankingStats(totals) }));
    // Array.prototype.sort is stable: equal scores keep the name order of the query.
    ranked.sort((a, b) => b.bordaScore - a.bordaScore);
    return { category, rankers, items: ranked };
  };
  const categoryStats = cache.define({
    name: 'ranking-stats',
    ttlSeconds: STATS_TTL_SECONDS,
    load: loadCategory,
    tags: (category) => [rankingTag(category)],
  });
  const productStats = cache.define({
    name: 'product-stats',
    ttlSeconds: STATS_TTL_SECONDS,
    load: async (productId: string) => rankingStats(await store.totals(productId)),
    tags: (productId) => [productStatsTag(productId)],
  });

  // Read from the record at flush time, so the trailing push of a burst carries the final figures.
  const live = createCoalescer<string>(
    STATS_PUSH_INTERVAL_MS,
    async (category) => push.toChannel(rankingChannel(category), 'ranking-stats', await loadCategory(category)),
    (error, category) => log.warn({ err: error, category }, 'could not push ranking stats'),
  );

  return {
    /** Replaces the user's ranking of the category (or adds it); the order names products of that category, each once. */
    async submit(userId: string, category: string, order: string[]): Promise<{ category: string; order: string[]; replaced: boolean }> {
      const members = await categoryMembers(category);
      if (members.length === 0) throw new AppError('NOT_FOUND', `No products in category '${category}'`);
      const problem = orderProblem(members, order, { complete: false, itemsAre: `the products of '${category}'` });
      if (problem) throw invalidOrder(problem);
      const outcome = await store.transaction(async (tx) => {
        await store.lockUserCategory(tx, userId, category);
        const previous = await store.currentOrder(userId, category, tx);
        const deltas = totalsDeltas(previous, order);
        await store.saveRanking(tx, userId, category, order);
        await store.applyDeltas(tx, deltas);
        return { replaced: previous !== undefined, changed: deltas.map((delta) => delta.key) };
      });
      if (outcome.changed.length > 0) {
        await cache.invalidate([rankingTag(category), RANKED_LISTS_TAG, ...outcome.changed.map(productStatsTag)]);
        live.schedule(category);
      }
      onRanked({ userId, category, products: order.length, replaced: outcome.replaced });
      return { category, order, replaced: outcome.replaced };
    },

    async myRanking(userId: string, category: string): Promise<string[] | null> {
      return (await store.currentOrder(userId, category)) ?? null;
    },

    async categoryStats(category: string): Promise<{ stats: CategoryStats; cached: boolean }> {
      const { value, hit } = await categoryStats.get(category);
      if (value.items.length === 0) throw new AppError('NOT_FOUND', `No products in category '${category}'`);
      return { stats: value, cached: hit };
    },

    async productStats(productId: string): Promise<RankingStats> {
      return (await productStats.get(productId)).value;
    },

    close(): void {
      live.close();
    },
  };
}

export type RankingsService = ReturnType<typeof createRankingsService>;
