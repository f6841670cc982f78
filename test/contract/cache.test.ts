import { describe, expect, it, vi } from 'vitest';
import { metricValue, usePorts, variants } from './ports.js';

describe.each(variants)('cache contract ($name)', (variant) => {
  const open = usePorts(variant);

  function counted<A, T>(load: (args: A) => T) {
    const calls: A[] = [];
    return {
      calls,
      load: async (args: A) => {
        calls.push(args);
        await new Promise((resolve) => setTimeout(resolve, 10));
        return load(args);
      },
    };
  }

  it('loads on a miss, serves hits afterwards and counts both', async () => {
    const { cache, metrics } = await open();
    const loader = counted((id: number) => ({ id, name: `user ${id}` }));
    const users = cache.define({ name: 'users', ttlSeconds: 60, load: loader.load });

    expect(await users.get(1)).toEqual({ value: { id: 1, name: 'user 1' }, hit: false });
    expect(await users.get(1)).toEqual({ value: { id: 1, name: 'user 1' }, hit: true });
    expect(await users.get(2)).toEqual({ value: { id: 2, name: 'user 2' }, hit: false });
    expect(loader.calls).toEqual([1, 2]);
    expect(await metricValue(metrics.cacheHits, { cache: 'users' })).toBe(1);
    expect(await metricValue(metrics.cacheMisses, { cache: 'users' })).toBe(2);
  });

  it('loads once for 100 concurrent misses on one key', async () => {
    const { cache } = await open();
    const loader = counted(() => 'board');
    const boards = cache.define({ name: 'boards', ttlSeconds: 60, load: loader.load });

    const results = await Promise.all(Array.from({ length: 100 }, () => boards.get('event-1')));

    expect(loader.calls).toHaveLength(1);
    expect(results.every((result) => result.value === 'board')).toBe(true);
  });

  it('expires entries after their TTL', async () => {
    const { cache } = await open();
    const loader = counted(() => Date.now());
    // 2 s, not 1: the memory storage keeps whole-second time, so a 1 s entry can expire at once.
    const clock = cache.define({ name: 'clock', ttlSeconds: 2, load: loader.load });

    const first = await clock.get('now');
    expect((await clock.get('now')).hit).toBe(true);
    await vi.waitFor(
      async () => {
        const again = await clock.get('now');
        expect(again.hit).toBe(false);
        expect(again.value).toBeGreaterThan(first.value);
      },
      { timeout: 4_000, interval: 100 },
    );
    expect(loader.calls).toHaveLength(2);
  });

  it('keeps falsy values and returns JSON shapes', async () => {
    const { cache } = await open();
    const values: Record<string, unknown> = { zero: 0, empty: '', nothing: null, date: new Date('2030-01-01T00:00:00Z') };
    const loader = counted((key: string) => values[key]);
    const lookups = cache.define({ name: 'falsy', ttlSeconds: 60, load: loader.load });

    for (const key of Object.keys(values)) await lookups.get(key);
    expect(await lookups.get('zero')).toEqual({ value: 0, hit: true });
    expect(await lookups.get('empty')).toEqual({ value: '', hit: true });
    expect(await lookups.get('nothing')).toEqual({ value: null, hit: true });
    expect(await lookups.get('date')).toEqual({ value: '2030-01-01T00:00:00.000Z', hit: true });
    expect(loader.calls).toHaveLength(4);
  });

  it('passes load errors through and does not cache them', async () => {
    const { cache } = await open();
    let fail = true;
    const flaky = cache.define({
      name: 'flaky',
      ttlSeconds: 60,
      load: async () => {
        if (fail) throw new Error('database said no');
        return 'ok';
      },
    });

    await expect(flaky.get('x')).rejects.toThrow('database said no');
    fail = false;
    expect(await flaky.get('x')).toEqual({ value: 'ok', hit: false });
  });

  it('drops entries by tag, leaving others', async () => {
    const { cache } = await open();
    const loader = counted((id: number) => `profile ${id}`);
    const profiles = cache.define({ name: 'profiles', ttlSeconds: 60, load: loader.load, tags: (id) => [`user:${id}`] });
    await profiles.get(1);
    await profiles.get(2);

    await cache.invalidate('user:1');

    expect((await profiles.get(1)).hit).toBe(false);
    expect((await profiles.get(2)).hit).toBe(true);
    expect(loader.calls).toEqual([1, 2, 1]);
  });

  it('drops the entries of several tags, exact and patterns mixed, in one call', async () => {
    const { cache } = await open();
    const loader = counted((id: number) => `profile ${id}`);
    const profiles = cache.define({ name: 'profiles', ttlSeconds: 60, load: loader.load, tags: (id) => [`user:${id}`, `team:${id % 2}`] });
    for (const id of [1, 2, 3, 4, 5]) await profiles.get(id);

    await cache.invalidate(['user:1', 'user:2', 'team:1*']);

    const hits = await Promise.all([1, 2, 3, 4, 5].map(async (id) => (await profiles.get(id)).hit));
    // 1 and 2 by name; 3 and 5 by the pattern on team 1; 4 is left.
    expect(hits).toEqual([false, false, false, true, false]);
  });

  it('drops entries by tag prefix pattern, across caches', async () => {
    const { cache } = await open();
    const boards = cache.define({ name: 'leaderboard', ttlSeconds: 60, load: async (id: string) => id, tags: (id) => [`board:${id}`] });
    const totals = cache.define({ name: 'totals', ttlSeconds: 60, load: async (id: string) => id, tags: (id) => [`board:${id}`, 'totals'] });
    const others = cache.define({ name: 'others', ttlSeconds: 60, load: async (id: string) => id, tags: (id) => [`boardroom:${id}`] });
    for (const get of [boards.get, totals.get, others.get]) await get('e1');
    await boards.get('e2');

    await cache.invalidate(['board:*']);

    expect((await boards.get('e1')).hit).toBe(false);
    expect((await boards.get('e2')).hit).toBe(false);
    expect((await totals.get('e1')).hit).toBe(false);
    expect((await others.get('e1')).hit).toBe(true);
  });

  it('keeps caches with the same arguments apart', async () => {
    const { cache } = await open();
    const a = cache.define({ name: 'a', ttlSeconds: 60, load: async (id: number) => `a${id}` });
    const b = cache.define({ name: 'b', ttlSeconds: 60, load: async (id: number) => `b${id}` });
    await a.get(1);
    expect(await b.get(1)).toEqual({ value: 'b1', hit: false });
    expect(await a.get(1)).toEqual({ value: 'a1', hit: true });
  });

  it.runIf(variant.shared)('shares entries and invalidations between instances', async () => {
    const [first, second] = await Promise.all([open(), open()]);
    const define = (ports: typeof first) =>
      ports.cache.define({ name: 'shared', ttlSeconds: 60, load: async (id: number) => `v${id}`, tags: (id) => [`item:${id}`] });
    const onFirst = define(first);
    const onSecond = define(second);

    await onFirst.get(7);
    expect(await onSecond.get(7)).toEqual({ value: 'v7', hit: true });
    await second.cache.invalidate('item:7');
    expect((await onFirst.get(7)).hit).toBe(false);
  });
});
