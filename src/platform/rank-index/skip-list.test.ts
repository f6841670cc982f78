import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RankedMember } from './port.js';
import { OrderStatisticSkipList, ranksAhead, type SkipNode } from './skip-list.js';

const byRank = (a: RankedMember, b: RankedMember) => (ranksAhead(a, b) ? -1 : ranksAhead(b, a) ? 1 : 0);

/** Walks every level and checks that each span is the true distance, and the back links. */
function checkStructure(list: OrderStatisticSkipList, expected: RankedMember[]): void {
  const nodes = list.slice(1, list.size);
  expect(nodes.map((node) => node.member)).toEqual(expected.map((entry) => entry.member));
  const position = new Map<SkipNode, number>(nodes.map((node, index) => [node, index + 1]));
  for (const [index, node] of nodes.entries()) {
    expect(node.prev).toBe(index === 0 ? null : nodes[index - 1]);
    node.next.forEach((next, level) => {
      if (next) expect(node.span[level]).toBe(position.get(next)! - position.get(node)!);
    });
  }
}

describe('order-statistic skip list', () => {
  it('keeps ranks, positions and spans exact through random inserts and removals', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ insert: fc.boolean(), member: fc.integer({ min: 0, max: 40 }), score: fc.integer({ min: 0, max: 5 }) }), {
          maxLength: 200,
        }),
        (operations) => {
          const list = new OrderStatisticSkipList();
          const nodes = new Map<string, SkipNode>();
          for (const { insert, member, score } of operations) {
            const key = `m${member}`;
            const existing = nodes.get(key);
            if (existing) {
              list.remove(existing);
              nodes.delete(key);
            }
            if (insert) nodes.set(key, list.insert({ member: key, score, reachedAt: member % 3 }));
          }
          const expected = [...nodes.values()].sort(byRank);
          expect(list.size).toBe(expected.length);
          checkStructure(list, expected);
          for (const [index, entry] of expected.entries()) {
            expect(list.rankOf(nodes.get(entry.member)!)).toBe(index + 1);
            expect(list.at(index + 1)?.member).toBe(entry.member);
          }
          expect(list.at(0)).toBeNull();
          expect(list.at(expected.length + 1)).toBeNull();
        },
      ),
    );
  });

  it('builds from sorted entries the same list that inserts would, and stays usable', () => {
    const entries = Array.from({ length: 5_000 }, (_, i) => ({ member: `m${i}`, score: (i * 7919) % 100, reachedAt: i % 17 })).sort(byRank);
    const { list, nodes } = OrderStatisticSkipList.fromSorted(entries);
    checkStructure(list, entries);
    expect(list.rankOf(nodes[1234]!)).toBe(1235);

    list.remove(nodes[0]!);
    const added = list.insert({ member: 'top', score: 1_000, reachedAt: 0 });
    expect(list.rankOf(added)).toBe(1);
    expect(list.rankOf(nodes[4_999]!)).toBe(5_000);
    checkStructure(list, [{ member: 'top', score: 1_000, reachedAt: 0 }, ...entries.slice(1)]);
  });

  it('refuses to remove or rank a node it does not hold', () => {
    const list = new OrderStatisticSkipList();
    list.insert({ member: 'a', score: 1, reachedAt: 0 });
    const stranger = new OrderStatisticSkipList().insert({ member: 'b', score: 1, reachedAt: 0 });
    expect(() => list.remove(stranger)).toThrow(/not in the list/);
    expect(() => list.rankOf(stranger)).toThrow(/not in the list/);
  });
});
