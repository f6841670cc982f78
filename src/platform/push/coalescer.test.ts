import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCoalescer } from './coalescer.js';

describe('coalescer', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('flushes the first change at once and collapses a burst into one trailing flush per interval', async () => {
    const flushed: Array<[string, number]> = [];
    const coalescer = createCoalescer<string>(250, (key) => void flushed.push([key, Date.now()]));
    const start = Date.now();
    coalescer.schedule('a');
    await vi.advanceTimersByTimeAsync(0);
    expect(flushed).toEqual([['a', start]]);

    for (let i = 0; i < 1000; i++) coalescer.schedule('a');
    await vi.advanceTimersByTimeAsync(249);
    expect(flushed).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(flushed).toEqual([
      ['a', start],
      ['a', start + 250],
    ]);
  });

  it('keeps keys independent and flushes each at most once per interval under constant change', async () => {
    const times = new Map<string, number[]>();
    const coalescer = createCoalescer<string>(250, (key) => void times.set(key, [...(times.get(key) ?? []), Date.now()]));
    const start = Date.now();
    for (let ms = 0; ms < 990; ms += 10) {
      coalescer.schedule('a');
      coalescer.schedule('b');
      await vi.advanceTimersByTimeAsync(10);
    }
    for (const key of ['a', 'b']) {
      expect(times.get(key)!.map((t) => t - start)).toEqual([0, 250, 500, 750]);
    }
  });

  it('reports flush errors and drops pending work on close', async () => {
    const errors: unknown[] = [];
    const coalescer = createCoalescer<string>(
      250,
      () => {
        throw new Error('boom');
      },
      (error) => errors.push(error),
    );
    coalescer.schedule('a');
    await vi.advanceTimersByTimeAsync(0);
    expect(errors).toHaveLength(1);
    coalescer.schedule('a');
    coalescer.close();
    await vi.advanceTimersByTimeAsync(1000);
    expect(errors).toHaveLength(1);
  });
});
