// Cache port: TTL entries, tag and pattern invalidation, and single-flight loading so that
// a thousand concurrent misses on one key cause one load.
export interface CacheLookup<T> {
  value: T;
  /** True when the value came from the cache rather than from `load`. */
  hit: boolean;
}

export interface CachedFunction<A, T> {
  /** Returns the cached result for `args`, loading it once however many callers miss together. */
  get(args: A): Promise<CacheLookup<T>>;
}

export interface CacheDefinition<A, T> {
  /** Names the cache in metrics (cache_hits_total{cache=...}) and namespaces its keys. */
  name: string;
  ttlSeconds: number;
  load: (args: A) => Promise<T>;
  /** Tags the entry for invalidation, e.g. ['user:42']. */
  tags?: (args: A, result: T) => string[];
}

export interface Cache {
  define<A, T>(definition: CacheDefinition<A, T>): CachedFunction<A, T>;
  /** Drops every entry carrying one of these tags. A tag may end in '*' to match a prefix, e.g. 'board:*'. */
  invalidate(tags: string | string[]): Promise<void>;
  close(): Promise<void>;
}
