import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeResults, pollOrderProblem, positionDeltas } from './borda.js';

const items = ['a', 'b', 'c'].map((key) => ({ key, label: key }));

describe('pollOrderProblem', () => {
  it('accepts exactly one full permutation', () => {
    expect(pollOrderProblem(items, ['c', 'a', 'b'])).toBeUndefined();
  });

  it('names a repeated, unknown or missing item', () => {
    expect(pollOrderProblem(items, ['a', 'a', 'b'])).toBe("Item 'a' appears more than once in order");
    expect(pollOrderProblem(items, ['a', 'b', 'x', 'y'])).toMatch(/^Unknown items 'x', 'y'/);
    expect(pollOrderProblem(items, ['b'])).toBe("order must rank all 3 items; missing 'a', 'c'");
  });
});

describe('positionDeltas', () => {
  it('gives a new voter every position and a replacement only the moves', () => {
    expect(positionDeltas(undefined, ['b', 'a', 'c'])).toEqual([
      { key: 'b', delta: 1 },
      { key: 'a', delta: 2 },
      { key: 'c', delta: 3 },
    ]);
    expect(positionDeltas(['a', 'b', 'c'], ['a', 'c', 'b'])).toEqual([
      { key: 'c', delta: -1 },
      { key: 'b', delta: 1 },
    ]);
    expect(positionDeltas(['a', 'b', 'c'], ['a', 'b', 'c'])).toEqual([]);
  });

  it('applied in any sequence, leaves totals equal to the positions of the last rankings (property)', () => {
    const keys = ['a', 'b', 'c', 'd', 'e'];
    const ranking = fc.shuffledSubarray(keys, { minLength: keys.length, maxLength: keys.length });
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat({ max: 3 }), ranking), { maxLength: 30 }), (submissions) => {
        const current = new Map<number, string[]>();
        const totals = new Map<string, number>();
        for (const [user, order] of submissions) {
          for (const { key, delta } of positionDeltas(current.get(user), order)) totals.set(key, (totals.get(key) ?? 0) + delta);
          current.set(user, order);
        }
        for (const key of keys) {
          const expected = [...current.values()].reduce((sum, order) => sum + order.indexOf(key) + 1, 0);
          expect(totals.get(key) ?? 0).toBe(expected);
        }
      }),
    );
  });
});

describe('computeResults', () => {
  it('turns position sums into Borda scores and averages, best first, ties in poll order', () => {
    const poll = { id: 'p', title: 'T', items, voters: 2, version: 7 };
    // Rankings [b, a, c] and [c, a, b]: sums a=4, b=4, c=4.
    expect(
      computeResults(
        poll,
        new Map([
          ['a', 4],
          ['b', 4],
          ['c', 4],
        ]),
      ).items.map((item) => [item.key, item.bordaScore, item.averagePosition]),
    ).toEqual([
      ['a', 2, 2],
      ['b', 2, 2],
      ['c', 2, 2],
    ]);
    // Rankings [c, b, a] and [c, a, b]: sums a=5, b=5, c=2.
    expect(
      computeResults(
        poll,
        new Map([
          ['a', 5],
          ['b', 5],
          ['c', 2],
        ]),
      ).items.map((item) => [item.key, item.bordaScore]),
    ).toEqual([
      ['c', 4],
      ['a', 1],
      ['b', 1],
    ]);
    expect(computeResults({ ...poll, voters: 0 }, new Map()).items[0]).toEqual({ key: 'a', label: 'a', bordaScore: 0, averagePosition: null });
  });
});
