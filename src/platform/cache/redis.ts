// Redis cache: entries shared by every instance. While Redis is down or its breaker is open,
// each instance serves from an in-process copy instead, so an outage costs freshness and
// extra loads, never a failed request.
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Breaker } from '../breakers.js';
import { withScripts } from '../redis-scripts.js';
import type { Metrics } from '../metrics.js';
import { StorageCache, createMemoryCache, type CacheStorage } from './memory.js';
import type { Cache, CacheDefinition, CachedFunction } from './port.js';

/** A Redis failure inside the cache, as opposed to an error thrown by a definition's `load`. */
class CacheStoreError extends Error {
  constructor(cause: unknown) {
    super('cache store failed', { cause });
    this.name = 'CacheStoreError';
  }
}

// KEYS tag sets. Deletes every entry listed in each tag set, then the set itself, in one step
// so an entry tagged while we invalidate is not left unreachable.
const INVALIDATE_TAGS = `
local deleted = 0
for _, tag in ipairs(KEYS) do
  local members = redis.call('SMEMBERS', tag)
  for i = 1, #members, 500 do
    redis.call('DEL', unpack(members, i, math.min(i + 499, #members)))
  end
  redis.call('DEL', tag)
  deleted = deleted + #members
end
return deleted`;

// KEYS[1] entry, KEYS[2..] its tag sets; ARGV value, entry TTL, tag-set TTL. One command where a
// MULTI pipeline took 2 + 2 per tag: each cache miss writes one, and the pipeline's objects
// were most of what a cache-miss read left for the garbage collector to promote.
const SET_TAGGED = `
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
for i = 2, #KEYS do
  redis.call('SADD', KEYS[i], KEYS[1])
  redis.call('EXPIRE', KEYS[i], ARGV[3])
end`;

const TAGS_PER_CALL = 500;

type ScriptedRedis = Redis & {
  stampedeInvalidateTags(keyCount: number, ...tagKeys: string[]): Promise<number>;
  stampedeSetTagged(keyCount: number, ...keysThenArgs: Array<string | number>): Promise<unknown>;
};

/** Escapes glob characters so that only the tag's '*' acts as a wildcard in SCAN MATCH. */
function tagPattern(tag: string): string {
  return tag
    .split('*')
    .map((part) => part.replace(/[?[\]\\]/g, '\\$&'))
    .join('*');
}

/**
 * async-cache-dedupe storage on Redis. The library's own Redis storage swallows errors (a dead
 * Redis then looks like a miss, and every call loads) and expands patterns with KEYS, which
 * ignores our key prefix. This one throws, keeps every key under the prefix, and SCANs.
 */
class RedisCacheStorage implements CacheStorage {
  private readonly client: ScriptedRedis;

  constructor(
    client: Redis,
    private readonly prefix: string,
    private readonly breaker: Breaker,
    /** Tag sets must outlive every entry they list: the longest TTL defined so far. */
    private readonly tagTtlSeconds: () => number,
  ) {
    this.client = withScripts<ScriptedRedis>(client, {
      stampedeInvalidateTags: { lua: INVALIDATE_TAGS },
      stampedeSetTagged: { lua: SET_TAGGED },
    });
  }

  private entryKey(key: string): string {
    return `${this.prefix}e:${key}`;
  }

  private tagKey(tag: string): string {
    return `${this.prefix}t:${tag}`;
  }

  private async run<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await this.breaker.execute(command);
    } catch (error) {
      throw new CacheStoreError(error);
    }
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.run(() => this.client.get(this.entryKey(key)))) ?? undefined;
  }

  async set(key: string, value: string, ttlSeconds: number, tags: string | string[] = []): Promise<void> {
    const tagKeys = (typeof tags === 'string' ? [tags] : tags).map((tag) => this.tagKey(tag));
    const keys = [this.entryKey(key), ...tagKeys];
    await this.run(() => this.client.stampedeSetTagged(keys.length, ...keys, value, ttlSeconds, this.tagTtlSeconds()));
  }

  async remove(key: string): Promise<void> {
    await this.run(() => this.client.del(this.entryKey(key)));
  }

  async invalidate(tags: string | string[]): Promise<void> {
    const tagKeys: string[] = [];
    for (const tag of typeof tags === 'string' ? [tags] : tags)
      tagKeys.push(...(tag.includes('*') ? await this.scan(this.tagKey(tagPattern(tag))) : [this.tagKey(tag)]));
    // One script call for a batch's tags, in slices so no call holds Redis for long.
    for (let i = 0; i < tagKeys.length; i += TAGS_PER_CALL) {
      const slice = tagKeys.slice(i, i + TAGS_PER_CALL);
      await this.run(() => this.client.stampedeInvalidateTags(slice.length, ...slice));
    }
  }

  async clear(name: string): Promise<void> {
    const keys = await this.scan(`${this.entryKey(tagPattern(name))}*`);
    if (keys.length > 0) await this.run(() => this.client.del(...keys));
  }

  private async scan(pattern: string): Promise<string[]> {
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await this.run(() => this.client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000));
      cursor = next;
      found.push(...keys);
    } while (cursor !== '0');
    return found;
  }
}

export interface RedisCacheOptions {
  client: Redis;
  keyPrefix: string;
  /** The Redis breaker, around every Redis command: while it is open, reads go to the in-process copy. */
  breaker: Breaker;
  metrics: Metrics;
  log: Logger;
}

export class RedisCache implements Cache {
  private readonly remote: StorageCache;
  private readonly fallback: StorageCache;
  /** Invalidations Redis missed while it was down; replayed before Redis is read again. */
  private readonly missedInvalidations = new Set<string>();
  private replaying: Promise<boolean> | undefined;
  private longestTtlSeconds = 1;
  private readonly onReady = () => void this.recover();

  constructor(private readonly options: RedisCacheOptions) {
    const storage = new RedisCacheStorage(options.client, `${options.keyPrefix}cache:`, options.breaker, () => this.longestTtlSeconds);
    this.remote = new StorageCache(storage, options.metrics);
    this.fallback = createMemoryCache(options.metrics);
    options.client.on('ready', this.onReady);
  }

  /**
   * Not ready means reconnecting, so skip Redis outright. The breaker is not checked here: it
   * only half-opens when a call goes through execute(), which the storage does per command.
   */
  private redisUsable(): boolean {
    return this.options.client.status === 'ready';
  }

  define<A, T>(definition: CacheDefinition<A, T>): CachedFunction<A, T> {
    const remote = this.remote.define(definition);
    const fallback = this.fallback.define(definition);
    this.longestTtlSeconds = Math.max(this.longestTtlSeconds, definition.ttlSeconds);
    return {
      get: async (args) => {
        if (this.redisUsable() && (await this.catchUp())) {
          try {
            return await remote.get(args);
          } catch (error) {
            if (!(error instanceof CacheStoreError)) throw error;
            this.options.log.debug({ err: error.cause, cache: definition.name }, 'cache falling back to memory');
          }
        }
        this.options.metrics.fallbacks.inc({ port: 'cache' });
        return fallback.get(args);
      },
    };
  }

  async invalidate(tags: string | string[]): Promise<void> {
    const list = typeof tags === 'string' ? [tags] : tags;
    await this.fallback.invalidate(list);
    await this.invalidateRemote(list);
  }

  /** Never throws for a Redis failure: the tags are remembered and replayed by catchUp(). */
  private async invalidateRemote(tags: string[]): Promise<boolean> {
    try {
      if (!this.redisUsable()) throw new CacheStoreError(new Error('redis unavailable'));
      await this.remote.invalidate(tags);
      for (const tag of tags) this.missedInvalidations.delete(tag);
      return true;
    } catch (error) {
      if (!(error instanceof CacheStoreError)) throw error;
      for (const tag of tags) this.missedInvalidations.add(tag);
      this.options.log.debug({ err: error.cause, tags }, 'cache invalidation deferred until redis is back');
      return false;
    }
  }

  /** True once Redis has caught up with every invalidation it missed, so it serves nothing stale. */
  private catchUp(): Promise<boolean> {
    if (this.missedInvalidations.size === 0) return Promise.resolve(true);
    this.replaying ??= this.invalidateRemote([...this.missedInvalidations]).finally(() => {
      this.replaying = undefined;
    });
    return this.replaying;
  }

  /** Invalidations made by other instances never reached our fallback copy, so it is dropped. */
  private async recover(): Promise<void> {
    try {
      await this.fallback.clear();
      await this.catchUp();
    } catch (error) {
      this.options.log.error({ err: error }, 'cache recovery after redis reconnect failed');
    }
  }

  async close(): Promise<void> {
    this.options.client.off('ready', this.onReady);
  }
}
