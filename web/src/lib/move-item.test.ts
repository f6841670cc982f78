import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { moveItem } from './move-item';

describe('moveItem', () => {
  it('puts the item at its new place and keeps the others in order', () => {
    const listAndMove = fc
      .uniqueArray(fc.integer(), { minLength: 1, maxLength: 20 })
      .chain((list) => fc.tuple(fc.constant(list), fc.nat(list.length - 1), fc.nat(list.length - 1)));
    fc.assert(
      fc.property(listAndMove, ([list, from, to]) => {
        const moved = moveItem(list, from, to);
        expect(moved[to]).toBe(list[from]);
        expect(moved.filter((item) => item !== list[from])).toEqual(list.filter((_, index) => index !== from));
        expect(list.length).toBe(moved.length);
      }),
      { seed: 14 },
    );
  });

  it('leaves the list alone for a move off either end', () => {
    const list = ['a', 'b'];
    expect(moveItem(list, 0, -1)).toBe(list);
    expect(moveItem(list, 1, 2)).toBe(list);
  });
});
