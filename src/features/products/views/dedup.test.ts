import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countViewsOracle, createCountedPairs, viewLayers, type View } from './dedup.js';

const WINDOW = 30 * 60_000;
const view = (userId: string, productId: string, minute: number): View => ({ userId, productId, at: new Date(minute * 60_000) });

describe('viewLayers', () => {
  it('keeps a pair once per layer, and only views a whole window apart', () => {
    const layers = viewLayers([view('u', 'p', 0), view('u', 'p', 10), view('u', 'p', 31), view('v', 'p', 5)], WINDOW);
    expect(layers.map((layer) => layer.map((v) => `${v.userId}@${v.at.getTime() / 60_000}`))).toEqual([['u@0', 'v@5'], ['u@31']]);
  });

  it('from no stored marks, the candidates of a batch are exactly the views the brute-force rule counts (property)', () => {
    const arbitraryView = fc.record({ user: fc.constantFrom('u1', 'u2', 'u3'), product: fc.constantFrom('p1', 'p2'), minute: fc.nat({ max: 180 }) });
    fc.assert(
      fc.property(fc.array(arbitraryView, { maxLength: 60 }), (raw) => {
        const views = raw.map((each) => view(each.user, each.product, each.minute));
        const layers = viewLayers(views, WINDOW);
        for (const layer of layers) expect(new Set(layer.map((v) => `${v.userId}/${v.productId}`)).size).toBe(layer.length);
        expect(layers.flat().length).toBe(countViewsOracle(views, WINDOW));
      }),
      { seed: 14, numRuns: 300 },
    );
  });
});

describe('createCountedPairs', () => {
  it('in time order, remembering what counted, it covers exactly the views the brute-force rule does not count (property)', () => {
    const arbitraryView = fc.record({ user: fc.constantFrom('u1', 'u2'), product: fc.constantFrom('p1', 'p2'), minute: fc.nat({ max: 120 }) });
    fc.assert(
      fc.property(fc.array(arbitraryView, { maxLength: 40 }), (raw) => {
        const pairs = createCountedPairs(WINDOW, 100);
        const seen: View[] = [];
        for (const v of raw.map((each) => view(each.user, each.product, each.minute)).sort((a, b) => a.at.getTime() - b.at.getTime())) {
          const counts = countViewsOracle([...seen, v], WINDOW) > countViewsOracle(seen, WINDOW);
          expect(pairs.covers(v)).toBe(!counts);
          if (counts) pairs.remember(v);
          seen.push(v);
        }
      }),
      { seed: 1414, numRuns: 300 },
    );
  });

  it('never covers a view before the remembered one, and forgets the oldest pair past its size', () => {
    const pairs = createCountedPairs(WINDOW, 2);
    pairs.remember(view('u', 'a', 10));
    expect(pairs.covers(view('u', 'a', 5))).toBe(false);
    expect(pairs.covers(view('u', 'a', 39))).toBe(true);
    expect(pairs.covers(view('u', 'a', 40))).toBe(false);
    pairs.remember(view('u', 'b', 11));
    pairs.remember(view('u', 'c', 12));
    expect([pairs.covers(view('u', 'a', 13)), pairs.covers(view('u', 'b', 13)), pairs.covers(view('u', 'c', 13))]).toEqual([false, true, true]);
  });
});
