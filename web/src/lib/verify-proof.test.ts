// The browser's check against the server's own proofs: the same seeds and entrants through the
// server's module (node:crypto) and through this one (Web Crypto) must agree, and any change to a
// published proof must be caught.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  LOTTERY_ALGORITHM,
  SHUFFLE_ALGORITHM,
  commitmentOf,
  drawOrder,
  entrantsHashOf,
  newSeed,
  shuffleOrder,
  type LotteryProof,
} from '../../../src/features/events/lottery.js';
import { verifyProof } from './verify-proof';

const entrantsArb = fc.uniqueArray(fc.record({ id: fc.uuid(), weight: fc.integer({ min: 1, max: 5 }) }), {
  minLength: 1,
  maxLength: 30,
  selector: (e) => e.id,
});

function serverProof(seed: string, entrants: Array<{ id: string; weight: number }>): LotteryProof {
  return {
    commitment: commitmentOf(seed),
    seed,
    entrantsHash: entrantsHashOf(entrants),
    algorithm: LOTTERY_ALGORITHM,
    entrants,
    order: drawOrder(seed, entrants),
  };
}

describe('in-browser proof verification', () => {
  it('accepts every weighted draw the server produces', async () => {
    await fc.assert(
      fc.asyncProperty(entrantsArb, async (entrants) => {
        expect(await verifyProof(serverProof(newSeed(), entrants))).toMatchObject({ ok: true });
      }),
      { numRuns: 100, seed: 13 },
    );
  });

  it('accepts the server pre-queue shuffles', async () => {
    const seed = newSeed();
    const ids = Array.from({ length: 50 }, (_, i) => `user-${i}`);
    const entrants = ids.map((id) => ({ id, weight: 1 }));
    const proof = {
      commitment: commitmentOf(seed),
      seed,
      entrantsHash: entrantsHashOf(entrants),
      algorithm: SHUFFLE_ALGORITHM,
      entrants,
      order: shuffleOrder(seed, ids),
    };
    expect(await verifyProof(proof)).toMatchObject({ ok: true });
  });

  it('rejects a proof with two places swapped, a changed seed, weight or commitment', async () => {
    const entrants = Array.from({ length: 10 }, (_, i) => ({ id: `e${i}`, weight: 1 + (i % 3) }));
    const proof = serverProof(newSeed(), entrants);
    const swapped = { ...proof, order: [proof.order[1]!, proof.order[0]!, ...proof.order.slice(2)] };
    expect(await verifyProof(swapped)).toMatchObject({ ok: false, reason: 'the published order is not what this seed gives' });
    expect(await verifyProof({ ...proof, seed: newSeed() })).toMatchObject({ ok: false, reason: expect.stringContaining('commitment') });
    const reweighted = { ...proof, entrants: proof.entrants.map((e, i) => (i === 0 ? { ...e, weight: e.weight + 1 } : e)) };
    expect(await verifyProof(reweighted)).toMatchObject({ ok: false });
    expect(await verifyProof({ ...proof, commitment: commitmentOf('other') })).toMatchObject({ ok: false });
  });

  it('never throws on garbage', async () => {
    for (const garbage of [
      null,
      42,
      {},
      { commitment: 'a', seed: 'b', entrantsHash: 'c', algorithm: LOTTERY_ALGORITHM, entrants: [{}], order: [] },
    ]) {
      expect(await verifyProof(garbage)).toMatchObject({ ok: false });
    }
  });
});
