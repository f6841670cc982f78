import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countViewsOracle, viewLayers, type View } from './dedup.js';

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
