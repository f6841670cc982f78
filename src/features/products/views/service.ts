// Page views: batched (never one write per view), deduplicated per user per product per
// window (30 minutes), counted on the product and in hourly buckets for "trending".
import type { Logger } from 'pino';
import { createBatcher } from '../../../platform/batch.js';
import type { ViewsStore } from './store.js';
import { createCountedPairs, viewLayers, type View } from './dedup.js';

export const VIEW_WINDOW_SECONDS = 30 * 60;
const SWEEP_INTERVAL_MS = 60_000;
/** About 100 bytes each: at most some 10 MB for the repeat views answered in memory. */
const REMEMBERED_PAIRS = 100_000;

export interface ViewsDeps {
  store: ViewsStore;
  log: Logger;
  now: () => Date;
  /** Called with the views that counted, after their commit: the activity log's streaks. */
  onCounted: (views: View[]) => void;
  batch: { maxItems: number; maxWaitMs: number };
}

export function createViewsService({ store, log, now, onCounted, batch }: ViewsDeps) {
  const countedPairs = createCountedPairs(VIEW_WINDOW_SECONDS * 1000, REMEMBERED_PAIRS);
  const batcher = createBatcher<View, boolean>({
    name: 'product-views',
    maxItems: batch.maxItems,
    maxWaitMs: batch.maxWaitMs,
    // A batch costs about 5 ms of PGlite whatever its size up to a few hundred (measured): the
    // viewers it answers come back in the next turn and are worth waiting for.
    gatherAfterBatch: true,
    run: async (views) => {
      const counted = new Map<View, boolean>();
      for (const layer of viewLayers(views, VIEW_WINDOW_SECONDS * 1000)) {
        layer.sort((a, b) => (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : a.productId < b.productId ? -1 : 1));
        const winners = new Set((await store.count(layer, VIEW_WINDOW_SECONDS)).map((pair) => `${pair.userId}/${pair.productId}`));
        for (const view of layer) counted.set(view, winners.has(`${view.userId}/${view.productId}`));
      }
      const countedViews = [...counted].filter(([, won]) => won).map(([view]) => view);
      for (const view of countedViews) countedPairs.remember(view);
      if (countedViews.length > 0) onCounted(countedViews);
      return views.map((view) => counted.get(view) ?? false);
    },
  });
  let sweeper: NodeJS.Timeout | undefined;

  return {
    /**
     * True once the view is committed and counted; false when one of the user's counted within
     * the window (at once, without the database, when this process counted that one).
     */
    record(userId: string, productId: string, at: Date = now()): Promise<boolean> {
      const view = { userId, productId, at };
      // A repeat within the window of a view this process counted: no database needed.
      if (countedPairs.covers(view)) return Promise.resolve(false);
      return batcher.add(view);
    },

    start(): void {
      sweeper = setInterval(() => {
        store.sweep(now(), VIEW_WINDOW_SECONDS).catch((error: unknown) => log.warn({ err: error }, 'view mark sweep failed'));
      }, SWEEP_INTERVAL_MS).unref();
    },

    viewsOf: (productIds?: string[]) => store.viewsOf(productIds),

    async close(): Promise<void> {
      clearInterval(sweeper);
      await batcher.close();
    },
  };
}

export type ViewsService = ReturnType<typeof createViewsService>;
