import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { orderProblem, rankingStats, totalsDeltas, type RankingTotals } from './borda.js';

const KEYS = ['a', 'b', 'c', 'd', 'e', 'f'];

/** Stats straight from the definition: points k-1..0 per ranking of k, mean and two-pass sample variance of positions. */
function oracle(key: string, rankings: string[][]) {
  const positions = rankings.filter((order) => order.includes(key)).map((order) => order.indexOf(key) + 1);
  const points = rankings.reduce((sum, order) => sum + (order.includes(key) ? order.length - order.indexOf(key) - 1 : 0), 0);
  const n = positions.length;
  const mean = n === 0 ? null : positions.reduce((sum, p) => sum + p, 0) / n;
  const variance = n < 2 ? null : positions.reduce((sum, p) => sum + (p - mean!) ** 2, 0) / (n - 1);
  const margin = variance === null ? null : 1.959963984540054 * Math.sqrt(variance / n);
  return { points, n, mean, margin };
}

describe('orderProblem', () => {
  const options = { complete: false, itemsAre: 'the products' };
  it('accepts any subset once each when partial rankings are allowed, and names repeats and strangers', () => {
    expect(orderProblem(KEYS, ['c', 'a'], options)).toBeUndefined();
    expect(orderProblem(KEYS, ['c', 'c'], options)).toBe("Item 'c' appears more than once in order");
    expect(orderProblem(KEYS, ['c', 'x'], options)).toBe("Unknown item 'x'; the products are a, b, c, d, e, f");
    expect(orderProblem(KEYS, ['c'], { ...options, complete: true })).toMatch(/^order must rank all 6 items; missing 'a', 'b', 'd'/);
  });
});

describe('totalsDeltas and rankingStats', () => {
  it('a new ranker adds every item; an unchanged ranking moves nothing', () => {
    expect(totalsDeltas(undefined, ['b', 'a'])).toEqual([
      { key: 'b', rankers: 1, positionSum: 1, positionSquareSum: 1, points: 1 },
      { key: 'a', rankers: 1, positionSum: 2, positionSquareSum: 4, points: 0 },
    ]);
    expect(totalsDeltas(['b', 'a'], ['b', 'a'])).toEqual([]);
    // Dropping an item takes its share away; the remaining item's points shrink with the ranking.
    expect(totalsDeltas(['b', 'a'], ['a'])).toEqual([
      { key: 'a', rankers: 0, positionSum: -1, positionSquareSum: -3, points: 0 },
      { key: 'b', rankers: -1, positionSum: -1, positionSquareSum: -1, points: -1 },
    ]);
  });

  it('incremental totals after any sequence of (replacing) partial rankings equal the stats of the final rankings (property, oracle)', () => {
    const ranking = fc.shuffledSubarray(KEYS, { minLength: 1 });
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat({ max: 5 }), ranking), { maxLength: 40 }), (submissions) => {
        const current = new Map<number, string[]>();
        const totals = new Map<string, RankingTotals>();
        for (const [user, order] of submissions) {
          for (const delta of totalsDeltas(current.get(user), order)) {
            const total = totals.get(delta.key) ?? { rankers: 0, positionSum: 0, positionSquareSum: 0, points: 0 };
            totals.set(delta.key, {
              rankers: total.rankers + delta.rankers,
              positionSum: total.positionSum + delta.positionSum,
              positionSquareSum: total.positionSquareSum + delta.positionSquareSum,
              points: total.points + delta.points,
            });
          }
          current.set(user, order);
        }
        for (const key of KEYS) {
          const stats = rankingStats(totals.get(key) ?? { rankers: 0, positionSum: 0, positionSquareSum: 0, points: 0 });
          const expected = oracle(key, [...current.values()]);
          expect(stats.bordaScore).toBe(expected.points);
          expect(stats.rankers).toBe(expected.n);
          if (expected.mean === null) expect(stats.averagePosition).toBeNull();
          else expect(stats.averagePosition).toBeCloseTo(expected.mean, 9);
          if (expected.margin === null) expect(stats.confidenceInterval).toBeNull();
          else {
            expect(stats.confidenceInterval!.low).toBeCloseTo(expected.mean! - expected.margin, 9);
            expect(stats.confidenceInterval!.high).toBeCloseTo(expected.mean! + expected.margin, 9);
          }
        }
      }),
      { seed: 14, numRuns: 300 },
    );
  });

  it('a unanimous item has a zero-width interval', () => {
    expect(rankingStats({ rankers: 3, positionSum: 6, positionSquareSum: 12, points: 3 }).confidenceInterval).toEqual({ low: 2, high: 2 });
  });
});
