// Ranking arithmetic shared by polls and product rankings, pure. A ranking of k items gives
// its first item k-1 points down to 0 for its last (Borda); positions are 1-based. A poll's
// rankings are full (k = the poll's size); a category ranking may name any subset of the
// category, so every total is kept per item and moved by the difference between a user's
// previous ranking and the new one.

/** What is wrong with `order` as a ranking over `known`, or undefined when it is one. `complete` demands every known item. */
export function orderProblem(known: ReadonlyArray<string>, order: string[], options: { complete: boolean; itemsAre: string }): string | undefined {
  const knownSet = new Set(known);
  const seen = new Set<string>();
  for (const key of order) {
    if (seen.has(key)) return `Item '${key}' appears more than once in order`;
    seen.add(key);
  }
  const unknown = order.filter((key) => !knownSet.has(key));
  if (unknown.length > 0) {
    const shown = known.length <= 20 ? `; ${options.itemsAre} are ${known.join(', ')}` : '';
    return `Unknown item${unknown.length > 1 ? 's' : ''} ${unknown.map((key) => `'${key}'`).join(', ')}${shown}`;
  }
  if (!options.complete) return undefined;
  const missing = known.filter((key) => !seen.has(key)).map((key) => `'${key}'`);
  if (missing.length > 0) return `order must rank all ${known.length} items; missing ${missing.join(', ')}`;
  return undefined;
}

/** One item's share of the totals: what its place in one ranking adds. */
export interface RankingTotals {
  rankers: number;
  positionSum: number;
  positionSquareSum: number;
  points: number;
}

export interface TotalsDelta extends RankingTotals {
  key: string;
}

function contributions(order: string[] | undefined): Map<string, RankingTotals> {
  const length = order?.length ?? 0;
  return new Map(
    (order ?? []).map((key, index) => [key, { rankers: 1, positionSum: index + 1, positionSquareSum: (index + 1) ** 2, points: length - index - 1 }]),
  );
}

/**
 * How each item's totals move when a user's ranking goes from `previous` (none for a new
 * ranker) to `next`. Items whose totals do not move are left out.
 */
export function totalsDeltas(previous: string[] | undefined, next: string[]): TotalsDelta[] {
  const before = contributions(previous);
  const after = contributions(next);
  const zero: RankingTotals = { rankers: 0, positionSum: 0, positionSquareSum: 0, points: 0 };
  const keys = [...after.keys(), ...[...before.keys()].filter((key) => !after.has(key))];
  return keys
    .map((key) => {
      const a = after.get(key) ?? zero;
      const b = before.get(key) ?? zero;
      return {
        key,
        rankers: a.rankers - b.rankers,
        positionSum: a.positionSum - b.positionSum,
        positionSquareSum: a.positionSquareSum - b.positionSquareSum,
        points: a.points - b.points,
      };
    })
    .filter((delta) => delta.rankers !== 0 || delta.positionSum !== 0 || delta.points !== 0);
}

/** z for a two-sided 95 % interval; with a handful of rankers it is optimistic, which the docs say. */
const Z_95 = 1.959963984540054;

export interface RankingStats {
  bordaScore: number;
  /** 1-based; null before anyone ranked the item. */
  averagePosition: number | null;
  rankers: number;
  /** 95 % confidence interval of the average position (normal approximation); null below 2 rankers. */
  confidenceInterval: { low: number; high: number } | null;
}

export function rankingStats(totals: RankingTotals): RankingStats {
  const { rankers: n, positionSum, positionSquareSum, points } = totals;
  if (n === 0) return { bordaScore: points, averagePosition: null, rankers: 0, confidenceInterval: null };
  const mean = positionSum / n;
  if (n < 2) return { bordaScore: points, averagePosition: mean, rankers: n, confidenceInterval: null };
  // Sample variance from the running sums; clamped because rounding can leave -0.0000001.
  const variance = Math.max(0, (positionSquareSum - (positionSum * positionSum) / n) / (n - 1));
  const margin = Z_95 * Math.sqrt(variance / n);
  return { bordaScore: points, averagePosition: mean, rankers: n, confidenceInterval: { low: mean - margin, high: mean + margin } };
}
