import { describe, expect, it } from 'vitest';
import { BatcherClosedError, createBatcher } from './batch.js';

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

  it('rejects every caller of a batch whose run throws, and keeps serving later calls', async () => {
    let fail = true;
    const batcher = createBatcher<string, string>({
      name: 'flaky',
      run: async (items) => {
        if (fail) throw new Error('transaction aborted');
        return items;
      },
    });
    const first = await Promise.allSettled([batcher.add('a'), batcher.add('b')]);
    expect(first.every((s) => s.status === 'rejected')).toBe(true);
    fail = false;
    await expect(batcher.add('c')).resolves.toBe('c');
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
