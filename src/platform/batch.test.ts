import { describe, expect, it } from 'vitest';
import { BatcherClosedError, createBatcher, positionsByKey } from './batch.js';

describe('createBatcher', () => {
  it('runs calls that arrive together as one batch and settles each caller with its own result', async () => {
    const batches: number[][] = [];
    const batcher = createBatcher<number, number>({
      name: 'double',
      maxWaitMs: 5,
      run: async (items) => {
        batches.push(items);
        return items.map((n) => n * 2);
      },
    });
    const results = await Promise.all([1, 2, 3, 4].map((n) => batcher.add(n)));
    expect(results).toEqual([2, 4, 6, 8]);
    expect(batches).toEqual([[1, 2, 3, 4]]);
  });

  it('rejects only the caller whose item failed', async () => {
    const batcher = createBatcher<number, number>({
      name: 'odd-fails',
      run: async (items) => items.map((n) => (n % 2 ? new Error(`odd ${n}`) : n)),
    });
    const settled = await Promise.allSettled([1, 2, 3, 4].map((n) => batcher.add(n)));
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'fulfilled', 'rejected', 'fulfilled']);
    expect((settled[0] as PromiseRejectedResult).reason.message).toBe('odd 1');
    expect((settled[1] as PromiseFulfilledResult<number>).value).toBe(2);
  });

  it('rejects every caller at once when the service is unreachable, and keeps serving later calls', async () => {
    let fail = true;
    let runs = 0;
    const batcher = createBatcher<string, string>({
      name: 'flaky',
      run: async (items) => {
        runs++;
        if (fail) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
        return items;
      },
    });
    const first = await Promise.allSettled([batcher.add('a'), batcher.add('b')]);
    expect(first.every((s) => s.status === 'rejected')).toBe(true);
    expect(runs).toBe(1); // no splitting against a database that is down
    fail = false;
    await expect(batcher.add('c')).resolves.toBe('c');
  });

  it('corners a poisoned item by splitting the batch: it fails alone, the others succeed in order', async () => {
    const runs: number[][] = [];
    const batcher = createBatcher<number, number>({
      name: 'poisoned',
      maxItems: 50,
      maxWaitMs: 60_000,
      run: async (items) => {
        runs.push(items);
        if (items.includes(37)) throw new Error('invalid byte sequence for encoding "UTF8": 0x00');
        return items.map((n) => n * 10);
      },
    });
    const settled = await Promise.allSettled(Array.from({ length: 50 }, (_, n) => batcher.add(n)));
    expect(settled.filter((s) => s.status === 'rejected')).toHaveLength(1);
    expect((settled[37] as PromiseRejectedResult).reason.message).toMatch(/0x00/);
    expect(settled.flatMap((s, n) => (s.status === 'fulfilled' ? [s.value - n * 10] : []))).toEqual(Array(49).fill(0));
    // Bisection: about 2 log2(50) runs, not 50; the items that succeeded ran in arrival order.
    expect(runs.length).toBeLessThanOrEqual(13);
    const succeeded = runs.filter((items) => !items.includes(37)).flat();
    expect(succeeded).toEqual([...succeeded].sort((a, b) => a - b));
  });

  it('splits at maxItems without waiting for the timer', async () => {
    const sizes: number[] = [];
    const batcher = createBatcher<number, number>({
      name: 'split',
      maxItems: 3,
      maxWaitMs: 60_000,
      concurrency: 4,
      run: async (items) => {
        sizes.push(items.length);
        return items;
      },
    });
    const results = await Promise.all([1, 2, 3, 4, 5, 6].map((n) => batcher.add(n)));
    expect(results).toEqual([1, 2, 3, 4, 5, 6]);
    expect(sizes).toEqual([3, 3]);
  });

  it('collects calls into the next batch while one is in flight (group commit)', async () => {
    const sizes: number[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const batcher = createBatcher<number, number>({
      name: 'gated',
      run: async (items) => {
        sizes.push(items.length);
        if (sizes.length === 1) await gate;
        return items;
      },
    });
    const first = batcher.add(0);
    await new Promise((resolve) => setTimeout(resolve, 10)); // let batch 1 start (timer is 2 ms)
    const rest = [1, 2, 3, 4, 5].map((n) => batcher.add(n));
    expect(batcher.pending).toBe(6);
    release();
    await Promise.all([first, ...rest]);
    expect(sizes).toEqual([1, 5]);
  });

  it('with gatherAfterBatch, callers that come back in the turn after a batch join the next one', async () => {
    const batchesWith = async (gatherAfterBatch: boolean) => {
      const batches: number[][] = [];
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const batcher = createBatcher<number, number>({
        name: 'gathering',
        gatherAfterBatch,
        run: async (items) => {
          batches.push(items);
          if (batches.length === 1) await gate;
          return items;
        },
      });
      const calls = [batcher.add(0)];
      void batcher.drain(); // batch 1 starts now, and waits at the gate
      calls.push(batcher.add(1), batcher.add(2));
      // A caller whose request is read in the next turn of the loop, as after a blocking statement.
      const late = new Promise<number>((resolve) => setImmediate(() => resolve(batcher.add(3))));
      release();
      await Promise.all([...calls, late]);
      return batches;
    };
    expect(await batchesWith(true)).toEqual([[0], [1, 2, 3]]);
    expect(await batchesWith(false)).toEqual([[0], [1, 2], [3]]);
  });

  it('fails every caller when run returns the wrong number of results', async () => {
    const batcher = createBatcher<number, number>({ name: 'short', run: async () => [1] });
    const settled = await Promise.allSettled([batcher.add(1), batcher.add(2)]);
    expect(settled.every((s) => s.status === 'rejected')).toBe(true);
  });

  it('drains pending work on close and refuses new calls', async () => {
    const batcher = createBatcher<number, number>({ name: 'closing', maxWaitMs: 50, run: async (items) => items });
    const pending = batcher.add(7);
    await batcher.close();
    await expect(pending).resolves.toBe(7);
    await expect(batcher.add(8)).rejects.toBeInstanceOf(BatcherClosedError);
  });
});

describe('positionsByKey', () => {
  it('lists where each key stands, keys in first-seen order, positions ascending', () => {
    const groups = positionsByKey(['b', 'a', 'b', 'c', 'a', 'b'], (item) => item);
    expect([...groups]).toEqual([
      ['b', [0, 2, 5]],
      ['a', [1, 4]],
      ['c', [3]],
    ]);
  });
});
