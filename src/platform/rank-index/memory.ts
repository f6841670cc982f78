// The in-process rank index: one order-statistic skip list per board plus a member -> node
// map, so a member's rank, the top N and a member's neighbours each cost O(log n) (+ the
// entries returned). Lives and dies with the process; the caller rebuilds it from PostgreSQL
// at start, which isLoaded() tells it to do.
import { OrderStatisticSkipList, ranksAhead, type SkipNode } from './skip-list.js';
import { assertCount, assertRankedMember, isOutdated, latestPerMember, type RankEntry, type RankIndex, type RankedMember } from './port.js';

interface Board {
  list: OrderStatisticSkipList;
  byMember: Map<string, SkipNode>;
  loaded: boolean;
}

function entryOf(node: SkipNode, rank: number): RankEntry {
  return { member: node.member, score: node.score, reachedAt: node.reachedAt, rank };
}

export class MemoryRankIndex implements RankIndex {
  private readonly boards = new Map<string, Board>();

  private board(name: string): Board {
    let board = this.boards.get(name);
    if (!board) {
      board = { list: new OrderStatisticSkipList(), byMember: new Map(), loaded: false };
      this.boards.set(name, board);
    }
    return board;
  }

  async set(board: string, members: RankedMember[]): Promise<void> {
    members.forEach(assertRankedMember);
    const { list, byMember } = this.board(board);
    for (const entry of members) {
      const current = byMember.get(entry.member);
      if (isOutdated(entry.version, current?.version)) continue;
      if (current) {
        if (current.score === entry.score && current.reachedAt === entry.reachedAt) {
          current.version = entry.version;
          continue;
        }
        list.remove(current);
      }
      byMember.set(entry.member, list.insert(entry));
    }
  }

  async remove(board: string, member: string): Promise<void> {
    const state = this.boards.get(board);
    const node = state?.byMember.get(member);
    if (!state || !node) return;
    state.list.remove(node);
    state.byMember.delete(member);
  }

  async rank(board: string, member: string): Promise<RankEntry | undefined> {
    const state = this.boards.get(board);
    const node = state?.byMember.get(member);
    return state && node ? entryOf(node, state.list.rankOf(node)) : undefined;
  }

  async ranks(board: string, members: string[]): Promise<Array<RankEntry | undefined>> {
    return Promise.all(members.map((member) => this.rank(board, member)));
  }

  async top(board: string, limit: number, offset = 0): Promise<RankEntry[]> {
    assertCount('limit', limit);
    assertCount('offset', offset);
    const state = this.boards.get(board);
    if (!state || limit === 0) return [];
    return state.list.slice(offset + 1, limit).map((node, index) => entryOf(node, offset + 1 + index));
  }

  async around(board: string, member: string, radius: number): Promise<RankEntry[]> {
    assertCount('radius', radius);
    const state = this.boards.get(board);
    const node = state?.byMember.get(member);
    if (!state || !node) return [];
    const rank = state.list.rankOf(node);
    const from = Math.max(1, rank - radius);
    return state.list.slice(from, rank + radius - from + 1).map((neighbour, index) => entryOf(neighbour, from + index));
  }

  async count(board: string): Promise<number> {
    return this.boards.get(board)?.list.size ?? 0;
  }

  async replace(board: string, members: RankedMember[]): Promise<void> {
    const sorted = latestPerMember(members).sort((a, b) => (ranksAhead(a, b) ? -1 : 1));
    const { list, nodes } = OrderStatisticSkipList.fromSorted(sorted);
    this.boards.set(board, { list, byMember: new Map(nodes.map((node) => [node.member, node])), loaded: true });
  }

  async isLoaded(board: string): Promise<boolean> {
    return this.boards.get(board)?.loaded ?? false;
  }

  async drop(board: string): Promise<void> {
    this.boards.delete(board);
  }

  /** How many boards it holds: what a period that is never dropped would make grow. */
  get size(): number {
    return this.boards.size;
  }

  async close(): Promise<void> {
    this.boards.clear();
  }
}
