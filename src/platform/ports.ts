// Picks the adapters: all in-process without REDIS_URL, all Redis with it. This is the one
// place that opens, watches and closes Redis connections. Pub/sub and locks, which no feature
// uses yet, open theirs on first use rather than at every start.
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import { MemoryAnswerLedger } from './answer-ledger/memory.js';
import type { AnswerLedger } from './answer-ledger/port.js';
import { RedisAnswerLedger } from './answer-ledger/redis.js';
import type { Breaker } from './breakers.js';
import { createMemoryCache } from './cache/memory.js';
import type { Cache } from './cache/port.js';
import { RedisCache } from './cache/redis.js';
import { MemoryJobQueue } from './jobs/memory.js';
import type { JobQueue } from './jobs/port.js';
import { RedisJobQueue } from './jobs/redis.js';
import { MemoryLocks } from './locks/memory.js';
import type { Locks } from './locks/port.js';
import { RedisLocks } from './locks/redis.js';
import type { Metrics } from './metrics.js';
import { readyWithin } from './redis-ready.js';
import { MemoryPubSub } from './pubsub/memory.js';
import type { PubSub } from './pubsub/port.js';
import { RedisPubSub } from './pubsub/redis.js';
import { MemoryRateLimiter } from './rate-limit/memory.js';
import type { RateLimiter } from './rate-limit/port.js';
import { RedisRateLimiter } from './rate-limit/redis.js';
import { MemoryRankIndex } from './rank-index/memory.js';
import type { RankIndex } from './rank-index/port.js';
import { RedisRankIndex } from './rank-index/redis.js';

export interface PortsOptions {
  redisUrl?: string;
  redisKeyPrefix: string;
  /** The Redis breaker. */
  breaker: Breaker;
  metrics: Metrics;
  log: Logger;
}

export interface Ports {
  cache: Cache;
  rateLimiter: RateLimiter;
  pubsub: PubSub;
  locks: Locks;
  jobs: JobQueue;
  rankIndex: RankIndex;
  answerLedger: AnswerLedger;
  /**
   * A queue of its own, for work that needs its own concurrency (WhatsApp sends). The caller
   * closes it, before the ports close.
   */
  openQueue(name: string, concurrency: number): JobQueue;
  /** A shared ioredis client, for the readiness check and others; absent without Redis. */
  redis?: Redis;
  /** True when Redis answers PING (or when no Redis is configured). */
  redisHealthy(): Promise<boolean>;
  close(): Promise<void>;
}

/** How long startup waits for Redis before serving from the in-process fallbacks. */
const STARTUP_WAIT_MS = 5_000;

/**
 * Every command fails fast while Redis is unreachable, so callers reach their fallback in
 * well under a second: no offline queue, one retry, and a timeout for a Redis that hangs.
 */
export const REDIS_CLIENT_OPTIONS: RedisOptions = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  commandTimeout: 500,
  connectTimeout: 2_000,
  retryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
};

export async function createPorts(options: PortsOptions): Promise<Ports> {
  return options.redisUrl ? createRedisPorts(options, options.redisUrl) : createMemoryPorts(options);
}

function createMemoryPorts({ metrics, log }: PortsOptions): Ports {
  const ports = {
    cache: createMemoryCache(metrics),
    rateLimiter: new MemoryRateLimiter(),
    pubsub: new MemoryPubSub(log),
    locks: new MemoryLocks(),
    jobs: new MemoryJobQueue(metrics),
    rankIndex: new MemoryRankIndex(),
    answerLedger: new MemoryAnswerLedger(),
  };
  return {
    ...ports,
    openQueue: (name, concurrency) => new MemoryJobQueue(metrics, concurrency, name),
    redisHealthy: async () => true,
    close: () => closeAll(ports, []),
  };
}

/** A port built on first access; `opened()` says whether it was. */
function onFirstUse<T>(open: () => T): { get: () => T; opened: () => T | undefined } {
  let port: T | undefined;
  return { get: () => (port ??= open()), opened: () => port };
}

async function createRedisPorts(options: PortsOptions, url: string): Promise<Ports> {
  const { redisKeyPrefix: keyPrefix, breaker, metrics, log } = options;
  const redis = connect(new Redis(url, REDIS_CLIENT_OPTIONS), 'main', log);
  const clients = [redis];
  if (!(await readyWithin(redis, STARTUP_WAIT_MS)))
    log.warn({ url: redactUrl(url) }, 'redis is not reachable yet; serving from in-process fallbacks until it is');
  const open = (client: Redis, name: string) => {
    clients.push(connect(client, name, log));
    return client;
  };
  const pubsub = onFirstUse(
    () =>
      new RedisPubSub({
        publisher: redis,
        subscriber: open(redis.duplicate({ autoResubscribe: false }), 'subscriber'),
        keyPrefix,
        breaker,
        metrics,
        log,
      }),
  );
  const locks = onFirstUse(() => new RedisLocks({ client: open(redis.duplicate({ keyPrefix }), 'locks'), log }));

  const ports = {
    cache: new RedisCache({ client: redis, keyPrefix, breaker, metrics, log }),
    rateLimiter: new RedisRateLimiter({ client: redis, keyPrefix, metrics }),
    jobs: new RedisJobQueue({ client: redis, keyPrefix, metrics, log }),
    rankIndex: new RedisRankIndex({ client: redis, keyPrefix, breaker }),
    answerLedger: new RedisAnswerLedger({ client: redis, keyPrefix, breaker }),
  };
  return {
    ...ports,
    get pubsub() {
      return pubsub.get();
    },
    get locks() {
      return locks.get();
    },
    redis,
    openQueue: (queueName, concurrency) => new RedisJobQueue({ client: redis, keyPrefix, metrics, log, concurrency, queueName }),
    redisHealthy: async () => (await redis.ping().catch(() => undefined)) === 'PONG',
    close: () => closeAll({ ...ports, pubsub: pubsub.opened(), locks: locks.opened() }, clients),
  };
}

/** Logs an outage once when it starts and once when it ends, not on every reconnect attempt. */
function connect(client: Redis, name: string, log: Logger): Redis {
  let down = false;
  client.on('error', (error) => {
    if (down) return;
    down = true;
    log.warn({ err: error, connection: name }, 'redis connection failed; retrying');
  });
  client.on('ready', () => {
    if (down) log.info({ connection: name }, 'redis connection restored');
    down = false;
  });
  return client;
}

function redactUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

type Closable = { close(): Promise<void> };

/** Jobs first, since closing waits for running jobs that may still use the other ports. */
async function closeAll(
  ports: Record<'jobs' | 'rateLimiter' | 'cache' | 'rankIndex' | 'answerLedger', Closable> & Partial<Record<'pubsub' | 'locks', Closable>>,
  clients: Redis[],
): Promise<void> {
  await ports.jobs.close();
  await Promise.all([
    ports.pubsub?.close(),
    ports.locks?.close(),
    ports.rateLimiter.close(),
    ports.cache.close(),
    ports.rankIndex.close(),
    ports.answerLedger.close(),
  ]);
  await Promise.all(
    clients.map(async (client) => {
      await client.quit().catch(() => undefined);
      client.disconnect();
    }),
  );
}
