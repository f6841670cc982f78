// Ranking rules and Borda arithmetic, pure. With n items a ranking gives n-1 points to its
// first item down to 0 for its last; positions are 1-based.
import type { PollItem } from '../../domain/polls.js';

/** What is wrong with `order` as a full ranking of `items`, or undefined when it is one. */
export function orderProblem(items: PollItem[], order: string[]): string | undefined {
  const known = new Set(items.map((item) => item.key));
  const seen = new Set<string>();
  for (const key of order) {
    if (seen.has(key)) return `Item '${key}' appears more than once in order`;
    seen.add(key);
  }
  const unknown = order.filter((key) => !known.has(key));
  if (unknown.length > 0)
    return `Unknown item${unknown.length > 1 ? 's' : ''} ${unknown.map((key) => `'${key}'`).join(', ')}; this poll's items are ${[...known].join(', ')}`;
  const missing = items.filter((item) => !seen.has(item.key)).map((item) => `'${item.key}'`);
  if (missing.length > 0) return `order must rank all ${items.length} items; missing ${missing.join(', ')}`;
  return undefined;
}

/** How each item's position sum moves when a user's ranking goes from `previous` (none for a new voter) to `next`. */
export function positionDeltas(previous: string[] | undefined, next: string[]): Array<{ key: string; delta: number }> {
  const before = new Map(previous?.map((key, index) => [key, index + 1]));
  return next.map((key, index) => ({ key, delta: index + 1 - (before.get(key) ?? 0) })).filter(({ delta }) => delta !== 0);
}

export interface PollResults {
  pollId: string;
  title: string;
  /** Grows with every ranking; a client keeps the highest it has seen. */
  version: number;
  voters: number;
  /** Best first: by Borda score, ties in the poll's item order. */
  items: Array<{ key: string; label: string; bordaScore: number; averagePosition: number | null }>;
}

export function computeResults(
  poll: { id: string; title: string; items: PollItem[]; voters: number; version: number },
  positionSums: Map<string, number>,
): PollResults {
  const n = poll.items.length;
  const items = poll.items.map((item) => {
    const positionSum = positionSums.get(item.key) ?? 0;
    return {
      key: item.key,
      label: item.label,
      bordaScore: poll.voters * n - positionSum,
      averagePosition: poll.voters === 0 ? null : positionSum / poll.voters,
    };
  });
  // Array.prototype.sort is stable, so equal scores keep the poll's order.
  items.sort((a, b) => b.bordaScore - a.bordaScore);
  return { pollId: poll.id, title: poll.title, version: poll.version, voters: poll.voters, items };
}
