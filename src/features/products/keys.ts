// Every channel name and cache tag of the products feature, built in one place.

/** Live ranking stats of a category; rankings share the public `board` channel kind. */
export const rankingChannel = (category: string) => `board:ranking:${category}`;
/** One product's metadata. */
export const productTag = (productId: string) => `product:${productId}`;
/** Every cached list and search, and cached misses (a new slug must not stay "not found"). */
export const PRODUCT_LISTS_TAG = 'products';
/** Lists sorted by Borda points; rankings move them. */
export const RANKED_LISTS_TAG = 'products:ranked';
/** A category's members (rankings validate against them). */
export const categoryTag = (category: string) => `product-category:${category}`;
/** One product's ranking stats. */
export const productStatsTag = (productId: string) => `product-stats:${productId}`;
/** A category's ranking stats table. */
export const rankingTag = (category: string) => `ranking:${category}`;
