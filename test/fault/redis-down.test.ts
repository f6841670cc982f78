// Kills Redis under live ports: limits and caches must keep answering from memory, fast,
// and go back to Redis once it returns.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createBreaker, type Breaker } from '../../src/platform/breakers.js';
import { createMetrics, type Metrics } from '../../src/platform/metrics.js';
import { createPorts, type Ports } from '../../src/platform/ports.js';
import { startRedis, type RedisServer } from '../harness/processes.js';
import { metricValue, silentLog } from '../contract/ports.js';

const FAST_MS = 1_000;

async function timed<T>(call: () => Promise<T>): Promise<T> {
  const started = Date.now();
  const result = await call();
  expect(Date.now() - started).toBeLessThan(FAST_MS);
  return result;
}

describe('ports with Redis killed mid-flight', () => {
  let server: RedisServer;
  let metrics: Metrics;
  const opened: Ports[] = [];
  const keyPrefix = `test:${randomUUID()}:`;

  async function open(breaker: Breaker = createBreaker('redis', 3, 500, metrics)): Promise<Ports> {
    const ports = await createPorts({
      redisUrl: server.url,
      redisKeyPrefix: keyPrefix,
      breaker,
      metrics,
      log: silentLog,
    });
    opened.push(ports);
    return ports;
  }

  beforeAll(async () => {
    server = await startRedis();
    metrics = createMetrics();
  });

  afterAll(async () => {
    await Promise.all(opened.map((ports) => ports.close()));
    await server?.destroy();
  });

  it('keeps answering from memory while Redis is down, then goes back to Redis', async () => {
    const ports = await open();
    let loads = 0;
    const board = ports.cache.define({ name: 'board', ttlSeconds: 60, load: async (id: string) => ({ id, version: ++loads }) });
    const policy = { name: 'api', points: 5, durationSeconds: 60 };
    const received: unknown[] = [];
    await ports.pubsub.subscribe('scores', (message) => void received.push(message));

    expect(await board.get('e1')).toMatchObject({ hit: false });
    expect(await board.get('e1')).toMatchObject({ hit: true });
    expect(await ports.rateLimiter.consume(policy, 'user-1')).toMatchObject({ allowed: true, remaining: 4 });
    expect(await metricValue(metrics.fallbacks, { port: 'cache' })).toBe(0);

    await server.kill();

    // The cache loads once into its fallback copy, then serves hits from it.
    const during = await timed(() => board.get('e1'));
    expect(during.value).toMatchObject({ id: 'e1' });
    expect(await timed(() => board.get('e1'))).toMatchObject({ hit: true, value: during.value });
    expect(await timed(() => Promise.all(Array.from({ length: 50 }, () => board.get('e2'))))).toHaveLength(50);
    expect(loads).toBe(3);

    // The insurance limiter counts from zero in memory and still enforces the policy.
    const decisions = [];
    for (let i = 0; i < 6; i++) decisions.push(await timed(() => ports.rateLimiter.consume(policy, 'user-1')));
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, true, true, false]);

    // This instance still hears itself; locks and jobs refuse quickly rather than hang.
    await timed(() => ports.pubsub.publish('scores', { top: 1 }));
    await vi.waitFor(() => expect(received).toEqual([{ top: 1 }]));
    await expect(timed(() => ports.locks.withLock('k', async () => 'locked'))).rejects.toThrow();
    await expect(timed(() => ports.jobs.add('mail', {}))).rejects.toThrow();
    expect(await timed(() => ports.redisHealthy())).toBe(false);

    expect(await metricValue(metrics.fallbacks, { port: 'cache' })).toBeGreaterThanOrEqual(4);
    expect(await metricValue(metrics.fallbacks, { port: 'rate-limit' })).toBeGreaterThanOrEqual(6);
    expect(await metricValue(metrics.fallbacks, { port: 'pubsub' })).toBe(1);

    await server.start();
    await vi.waitFor(async () => expect(await ports.redisHealthy()).toBe(true), { timeout: 10_000, interval: 100 });
    // Once the breaker lets calls through again, reads go to Redis instead of the fallback.
    await vi.waitFor(
      async () => {
        const before = await metricValue(metrics.fallbacks, { port: 'cache' });
        await board.get('e3');
        expect(await metricValue(metrics.fallbacks, { port: 'cache' })).toBe(before);
      },
      { timeout: 10_000, interval: 100 },
    );

    // Shared again: a second instance sees the entry and the count made through Redis.
    const other = await open();
    const otherBoard = other.cache.define({ name: 'board', ttlSeconds: 60, load: async (id: string) => ({ id, version: -1 }) });
    expect(await otherBoard.get('e3')).toMatchObject({ hit: true });
    const fresh = { name: 'fresh', points: 2, durationSeconds: 60 };
    await ports.rateLimiter.consume(fresh, 'user-2');
    expect(await other.rateLimiter.consume(fresh, 'user-2')).toMatchObject({ allowed: true, remaining: 0 });
    expect(await ports.locks.withLock('k', async () => 'locked')).toBe('locked');
    const ran = vi.fn(async () => undefined);
    ports.jobs.handle('mail', ran);
    await ports.jobs.add('mail', {});
    await vi.waitFor(() => expect(ran).toHaveBeenCalledTimes(1), { timeout: 5_000 });
  });

  it('serves the cache from memory while the breaker is open, and from Redis once it half-opens', async () => {
    const breaker = createBreaker('redis', 1, 500, metrics);
    const ports = await open(breaker);
    const stats = ports.cache.define({ name: 'stats', ttlSeconds: 60, load: async (id: string) => ({ id }) });
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    // Another port saw Redis fail: the breaker opens for everyone.
    await expect(breaker.execute(() => Promise.reject(refused))).rejects.toThrow();
    expect(breaker.isOpen()).toBe(true);

    const before = await metricValue(metrics.fallbacks, { port: 'cache' });
    expect(await timed(() => stats.get('s1'))).toMatchObject({ hit: false });
    expect(await metricValue(metrics.fallbacks, { port: 'cache' })).toBe(before + 1);

    // Nothing but cache reads from here on: they alone must bring the breaker back.
    await vi.waitFor(
      async () => {
        await stats.get('s2');
        expect(breaker.isOpen()).toBe(false);
      },
      { timeout: 5_000, interval: 100 },
    );
    const other = await open();
    await stats.get('s3');
    const onOther = other.cache.define({ name: 'stats', ttlSeconds: 60, load: async (id: string) => ({ id, other: true }) });
    expect(await onOther.get('s3')).toEqual({ value: { id: 's3' }, hit: true });
  });
});
