// The product page's answer (metadata + ranking stats), cached as its JSON text: a hit is one
// lookup and no serialization. It is dropped with the product (its tag) and with its stats (the
// ranking that moves them), so it is never staler than the two caches it is made of.
import type { Cache } from '../../platform/cache/port.js';
import { productStatsTag, productTag } from './keys.js';
import type { RankingsService } from './rankings/service.js';
import { CATALOG_TTL_SECONDS, type CatalogService } from './service.js';

export interface ProductPage {
  productId: string;
  /** `{product, stats}` as JSON, in the shape of the route's response schema. */
  body: string;
}

export function createProductPages(cache: Cache, catalog: CatalogService, rankings: RankingsService) {
  const pages = cache.define({
    name: 'product-page',
    ttlSeconds: CATALOG_TTL_SECONDS,
    // An unknown product throws NOT_FOUND, which is not cached here (the catalog caches the miss).
    load: async (idOrSlug: string): Promise<ProductPage> => {
      const product = await catalog.get(idOrSlug);
      const stats = await rankings.productStats(product.id);
      return { productId: product.id, body: JSON.stringify({ product, stats }) };
    },
    tags: (_key, page) => [productTag(page.productId), productStatsTag(page.productId)],
  });

  return {
    async get(idOrSlug: string): Promise<ProductPage & { cached: boolean }> {
      const { value, hit } = await pages.get(idOrSlug);
      return { ...value, cached: hit };
    },
  };
}

export type ProductPages = ReturnType<typeof createProductPages>;
