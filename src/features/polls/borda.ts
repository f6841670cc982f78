// A poll's side of the shared ranking arithmetic (domain/borda.ts), pure. Poll rankings are
// full, so the totals a poll keeps are its items' position sums: with n items and v voters,
// Borda = v * n - positionSum.
import { orderProblem, totalsDeltas } from '../../domain/borda.js';
import type { PollItem } from '../../domain/polls.js';

/** What is wrong with `order` as a full ranking of the poll's items, or undefined when it is one. */
export function pollOrderProblem(items: PollItem[], order: string[]): string | undefined {
  return orderProblem(
    items.map((item) => item.key),
    order,
    { complete: true, itemsAre: "this poll's items" },
  );
}

/** How each item's position sum moves when a user's ranking goes from `previous` (none for a new voter) to `next`. */
export function positionDeltas(previous: string[] | undefined, next: string[]): Array<{ key: string; delta: number }> {
  return totalsDeltas(previous, next)
    .map(({ key, positionSum }) => ({ key, delta: positionSum }))
    .filter(({ delta }) => delta !== 0);
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
