import { describe, expect, it } from 'vitest';
import { quantileFromBuckets } from './live.js';

describe('quantileFromBuckets', () => {
  it('interpolates inside the bucket where the quantile falls', () => {
    // 100 requests: 50 under 10 ms, 40 more under 20 ms, 10 more under 100 ms.
    const buckets: Array<[number, number]> = [
      [0.01, 50],
      [0.02, 90],
      [0.1, 100],
      [Infinity, 100],
    ];
    expect(quantileFromBuckets(buckets, 0.5)).toBeCloseTo(0.01);
    expect(quantileFromBuckets(buckets, 0.95)).toBeCloseTo(0.02 + 0.08 * 0.5);
  });

  it('is null without observations and the last finite bound when the quantile is past it', () => {
    expect(
      quantileFromBuckets(
        [
          [0.1, 0],
          [Infinity, 0],
        ],
        0.5,
      ),
    ).toBeNull();
    expect(
      quantileFromBuckets(
        [
          [0.1, 1],
          [Infinity, 10],
        ],
        0.95,
      ),
    ).toBe(0.1);
  });

  it('agrees with a brute-force quantile of the observations for bucket-aligned data', () => {
    const bounds = [0.001, 0.01, 0.1, 1];
    for (let seed = 1; seed <= 50; seed++) {
      const counts = bounds.map((_, i) => ((seed * (i + 3)) % 7) + 1);
      const cumulative: Array<[number, number]> = [];
      let total = 0;
      bounds.forEach((bound, i) => cumulative.push([bound, (total += counts[i]!)]));
      // The smallest bound whose cumulative count reaches the rank brackets the quantile from above.
      const rank = 0.5 * total;
      const upper = cumulative.find(([, count]) => count >= rank)![0];
      const lower = [0, ...bounds][bounds.indexOf(upper)]!;
      const value = quantileFromBuckets(cumulative, 0.5)!;
      expect(value).toBeGreaterThanOrEqual(lower);
      expect(value).toBeLessThanOrEqual(upper);
    }
  });
});
