// The products feature: the catalog and its search, category rankings (the polls' Borda
// machinery over products) and page views. Rankings and counted views go to the activity log.
import type { Logger } from 'pino';
import type { ActivityEntry } from '../../domain/activity.js';
import type { Cache } from '../../platform/cache/port.js';
import type { Db } from '../../platform/db/client.js';
import type { Push } from '../../platform/push/port.js';
import type { Feature } from '../feature.js';
import { rankingsRoutes } from './rankings/routes.js';
import { createRankingsService, type RankingsService } from './rankings/service.js';
import { createRankingsStore } from './rankings/store.js';
import { createProductPages } from './page.js';
import { productsRoutes } from './routes.js';
import { createCatalogService, type CatalogService } from './service.js';
import { createProductsStore } from './store.js';
import { createViewsService, type ViewsService } from './views/service.js';
import { createViewsStore } from './views/store.js';

export interface ProductsService {
  catalog: CatalogService;
  rankings: RankingsService;
  views: ViewsService;
}

export interface ProductsFeatureDeps {
  db: Db;
  cache: Cache;
  push: Push;
  log: Logger;
  /** The activity feature's recorder. */
  activity: { record(entry: ActivityEntry): void };
  now?: () => Date;
  viewBatch?: { maxItems: number; maxWaitMs: number };
}

export function createProductsFeature({
  db,
  cache,
  push,
  log,
  activity,
  now = () => new Date(),
  viewBatch = { maxItems: 1000, maxWaitMs: 5 },
}: ProductsFeatureDeps): Feature<ProductsService> {
  const catalog = createCatalogService({ store: createProductsStore(db), cache, log, now });
  const rankings = createRankingsService({
    store: createRankingsStore(db),
    cache,
    push,
    log,
    categoryMembers: catalog.categoryMembers,
    onRanked: ({ userId, category, products, replaced }) =>
      activity.record({ userId, kind: 'ranking.submitted', subject: category, details: { products, replaced }, at: now() }),
  });
  const views = createViewsService({
    store: createViewsStore(db),
    log,
    now,
    batch: viewBatch,
    onCounted: (counted) => {
      for (const view of counted) activity.record({ userId: view.userId, kind: 'product.viewed', subject: view.productId, at: view.at });
    },
  });
  const routes: Feature<ProductsService>['routes'] = async (app) => {
    await app.register(productsRoutes(catalog, createProductPages(cache, catalog, rankings), views));
    await app.register(rankingsRoutes(rankings));
  };
  return {
    service: { catalog, rankings, views },
    routes,
    // Ranking stats are public, like every board; the category must hold products.
    channels: { 'board:ranking': async (_subscriber, category) => ((await catalog.categoryMembers(category)).length > 0 ? true : 'missing') },
    start: async () => views.start(),
    close: async () => {
      rankings.close();
      await views.close();
      await catalog.close();
    },
  };
}
