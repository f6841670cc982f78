// An order-statistic skip list, after Redis's zskiplist: every forward link also records how
// many places it skips (its span), so insert, remove, rank-of-node and node-at-rank all take
// O(log n) expected, and a run of neighbours is a walk along the bottom level.
// Iterative throughout: no recursion depth to worry about at millions of entries.
import type { RankedMember } from './port.js';

/** log_{1/P}(2^32) levels: enough for any size this process can hold. */
const MAX_LEVEL = 32;
/** The chance a node reaches one level higher; 1/4 as in Redis (about 1.33 links per node). */
const P = 0.25;

export interface SkipNode extends RankedMember {
  /** next[i]: the following node on level i. */
  next: (SkipNode | null)[];
  /** span[i]: how many bottom-level places next[i] is ahead; meaningless where next[i] is null. */
  span: number[];
  prev: SkipNode | null;
}

/** True when `a` ranks ahead of `b`: higher score, then earlier reachedAt, then lower member. */
export function ranksAhead(a: RankedMember, b: RankedMember): boolean {
  if (a.score !== b.score) return a.score > b.score;
  if (a.reachedAt !== b.reachedAt) return a.reachedAt < b.reachedAt;
  return a.member < b.member;
}

function randomLevel(): number {
  let level = 1;
  while (level < MAX_LEVEL && Math.random() < P) level++;
  return level;
}

function createNode(entry: RankedMember, level: number): SkipNode {
  return {
    member: entry.member,
    score: entry.score,
    reachedAt: entry.reachedAt,
    version: entry.version,
    next: new Array<SkipNode | null>(level).fill(null),
    span: new Array<number>(level).fill(0),
    prev: null,
  };
}

export class OrderStatisticSkipList {
  private readonly head = createNode({ member: '', score: 0, reachedAt: 0 }, MAX_LEVEL);
  private level = 1;
  private length = 0;
  // Scratch arrays for insert/remove, reused so an update allocates only its node.
  private readonly update: SkipNode[] = new Array<SkipNode>(MAX_LEVEL);
  private readonly passed: number[] = new Array<number>(MAX_LEVEL).fill(0);

  get size(): number {
    return this.length;
  }

  /** Inserts a new node; the caller guarantees no node with the same member is present. */
  insert(entry: RankedMember): SkipNode {
    const { update, passed } = this;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      passed[i] = i === this.level - 1 ? 0 : passed[i + 1]!;
      for (let next = x.next[i]; next && ranksAhead(next, entry); next = x.next[i]) {
        passed[i]! += x.span[i]!;
        x = next;
      }
      update[i] = x;
    }
    const level = randomLevel();
    for (let i = this.level; i < level; i++) {
      passed[i] = 0;
      update[i] = this.head;
    }
    this.level = Math.max(this.level, level);

    const node = createNode(entry, level);
    const position = passed[0]! + 1;
    for (let i = 0; i < level; i++) {
      const before = update[i]!;
      node.next[i] = before.next[i]!;
      before.next[i] = node;
      // before sits at position passed[i]; its old link skipped past where the node now is.
      node.span[i] = before.span[i]! - (position - 1 - passed[i]!);
      before.span[i] = position - passed[i]!;
    }
    for (let i = level; i < this.level; i++) update[i]!.span[i]!++;
    node.prev = update[0] === this.head ? null : update[0]!;
    if (node.next[0]) node.next[0].prev = node;
    this.length++;
    return node;
  }

  remove(node: SkipNode): void {
    const { update } = this;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      for (let next = x.next[i]; next && ranksAhead(next, node); next = x.next[i]) x = next;
      update[i] = x;
    }
    if (x.next[0] !== node) throw new Error('skip list: node to remove is not in the list');
    for (let i = 0; i < this.level; i++) {
      const before = update[i]!;
      if (before.next[i] === node) {
        before.span[i]! += node.span[i]! - 1;
        before.next[i] = node.next[i]!;
      } else {
        before.span[i]!--;
      }
    }
    if (node.next[0]) node.next[0].prev = node.prev;
    while (this.level > 1 && !this.head.next[this.level - 1]) this.level--;
    this.length--;
  }

  /** 1-based rank of a node in the list. */
  rankOf(node: SkipNode): number {
    let rank = 0;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      for (let next = x.next[i]; next && (next === node || ranksAhead(next, node)); next = x.next[i]) {
        rank += x.span[i]!;
        x = next;
      }
      if (x === node) return rank;
    }
    throw new Error('skip list: node is not in the list');
  }

  /** The node at a 1-based rank, or null past the end. */
  at(rank: number): SkipNode | null {
    if (rank < 1 || rank > this.length) return null;
    let passed = 0;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      for (let next = x.next[i]; next && passed + x.span[i]! <= rank; next = x.next[i]) {
        passed += x.span[i]!;
        x = next;
      }
      if (passed === rank) return x;
    }
    return null;
  }

  /** Up to `limit` nodes in rank order from a 1-based rank on. */
  slice(fromRank: number, limit: number): SkipNode[] {
    const nodes: SkipNode[] = [];
    for (let node = this.at(fromRank); node && nodes.length < limit; node = node.next[0]!) nodes.push(node);
    return nodes;
  }

  /**
   * Rebuilds the list from entries already in rank order, in O(n): each node is appended,
   * linking it from the last node seen on each of its levels.
   */
  static fromSorted(entries: RankedMember[]): { list: OrderStatisticSkipList; nodes: SkipNode[] } {
    const list = new OrderStatisticSkipList();
    const last: SkipNode[] = new Array<SkipNode>(MAX_LEVEL).fill(list.head);
    const lastPosition: number[] = new Array<number>(MAX_LEVEL).fill(0);
    const nodes = new Array<SkipNode>(entries.length);
    let previous: SkipNode | null = null;
    for (let index = 0; index < entries.length; index++) {
      const level = randomLevel();
      const node = createNode(entries[index]!, level);
      const position = index + 1;
      for (let i = 0; i < level; i++) {
        last[i]!.next[i] = node;
        last[i]!.span[i] = position - lastPosition[i]!;
        last[i] = node;
        lastPosition[i] = position;
      }
      node.prev = previous;
      previous = node;
      list.level = Math.max(list.level, level);
      nodes[index] = node;
    }
    list.length = entries.length;
    return { list, nodes };
  }
}
