// In-process cache. async-cache-dedupe does the single-flight loading; the class below also
// serves the Redis adapter, which plugs in its own storage.
import { Cache as DedupeCache, createStorage, type StorageInterface } from 'async-cache-dedupe';
import type { Metrics } from '../metrics.js';
import type { Cache, CacheDefinition, CachedFunction, CacheLookup } from './port.js';

const DEFAULT_MAX_ENTRIES = 10_000;

/** What the dedupe Cache calls on its storage when `stale` is not used. */
export type CacheStorage = Pick<StorageInterface, 'get' | 'set' | 'remove' | 'invalidate' | 'clear'>;

/** A cache over any async-cache-dedupe storage; tags are the library's "references". */
export class StorageCache implements Cache {
  private readonly dedupe: DedupeCache;

  constructor(
    private readonly storage: CacheStorage,
    private readonly metrics: Metrics,
  ) {
    this.dedupe = new DedupeCache({ storage: storage as StorageInterface, ttl: 0 });
  }

  define<A, T>(definition: CacheDefinition<A, T>): CachedFunction<A, T> {
    const { name, ttlSeconds, load, tags } = definition;
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1) {
      throw new Error(`cache ${name}: ttlSeconds must be a whole number of seconds >= 1`);
    }
    const labels = { cache: name };
    // The loader returns hit=false and the transformer turns anything read back from storage
    // into hit=true, which is how a caller learns where its value came from. Entries are stored
    // as JSON in memory too, so callers cannot mutate a shared cached object and both adapters
    // return the same shapes (a Date comes back as a string from either). The { v } wrapper
    // keeps falsy values (0, '', null) apart from a miss.
    const defined = this.dedupe.define(
      name,
      {
        ttl: ttlSeconds,
        transformer: {
          serialize: (lookup: CacheLookup<T>): string => JSON.stringify({ v: lookup.value }),
          deserialize: (entry: string): CacheLookup<T> => ({ value: (JSON.parse(entry) as { v: T }).v, hit: true }),
        },
        references: (args: A, _key: string, lookup: CacheLookup<T>) => tags?.(args, lookup.value) ?? [],
        onHit: () => this.metrics.cacheHits.inc(labels),
        onMiss: () => this.metrics.cacheMisses.inc(labels),
      },
      async (args: A): Promise<CacheLookup<T>> => ({ value: await load(args), hit: false }),
    );
    const get = defined[name]!;
    return { get: (args) => get(args) };
  }

  async invalidate(tags: string | string[]): Promise<void> {
    const list = typeof tags === 'string' ? [tags] : tags;
    // Exact tags in one call (one round trip on Redis); a '*' pattern alone, the only way the storages expand it.
    const exact = list.filter((tag) => !tag.includes('*'));
    if (exact.length > 0) await this.storage.invalidate(exact);
    for (const pattern of list.filter((tag) => tag.includes('*'))) await this.storage.invalidate(pattern);
  }

  /** Drops every entry; the Redis adapter uses it to forget its fallback copy once Redis is back. */
  async clear(): Promise<void> {
    await this.dedupe.clear();
  }

  async close(): Promise<void> {}
}

export function createMemoryCache(metrics: Metrics, maxEntries = DEFAULT_MAX_ENTRIES): StorageCache {
  return new StorageCache(createStorage('memory', { size: maxEntries, invalidation: true }), metrics);
}
