import { createHash } from 'node:crypto';
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
  uniformOf,
  verifyProof,
  type Entrant,
  type LotteryProof,
} from './lottery.js';

/** Deterministic seeds, so the statistical tests give the same verdict on every run. */
const seedAt = (label: string, i: number) => createHash('sha256').update(`${label}:${i}`).digest('hex');

const seedArb = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex'));

/** Upper 99.9% points of the chi-square distribution by degrees of freedom. */
const CHI2_999: Record<number, number> = { 3: 16.266, 5: 20.515, 9: 27.877 };

function chiSquare(observed: number[], expectedP: number[], n: number): number {
  return observed.reduce((sum, o, i) => {
    const e = expectedP[i]! * n;
    return sum + (o - e) ** 2 / e;
  }, 0);
}

function proofFor(seed: string, entrants: Entrant[]): LotteryProof {
  return {
    commitment: commitmentOf(seed),
    seed,
    entrantsHash: entrantsHashOf(entrants),
    algorithm: LOTTERY_ALGORITHM,
    entrants,
    order: drawOrder(seed, entrants),
  };
}

const entrants: Entrant[] = Array.from({ length: 50 }, (_, i) => ({ id: `user-${String(i).padStart(3, '0')}`, weight: 1 + (i % 4) }));

describe('lottery proof', () => {
  const seed = newSeed();
  const proof = proofFor(seed, entrants);

  it('verifies an honest proof', () => {
    expect(seed).toMatch(/^[0-9a-f]{64}$/);
    expect(commitmentOf(seed)).toBe(createHash('sha256').update(seed).digest('hex'));
    expect(verifyProof(proof)).toEqual({ ok: true });
    expect(new Set(proof.order)).toEqual(new Set(entrants.map((e) => e.id)));
  });

  it('fails when one entrant is changed', () => {
    const swapped = entrants.map((e, i) => (i === 7 ? { ...e, id: 'intruder' } : e));
    expect(verifyProof({ ...proof, entrants: swapped })).toMatchObject({ ok: false });
    // Even with a matching hash, the published order no longer fits the entrants.
    expect(verifyProof({ ...proof, entrants: swapped, entrantsHash: entrantsHashOf(swapped) })).toMatchObject({ ok: false });
    expect(verifyProof({ ...proof, entrants: entrants.slice(1) })).toMatchObject({ ok: false });
  });

  it('fails when one weight is changed', () => {
    const reweighted = entrants.map((e, i) => (i === 3 ? { ...e, weight: e.weight + 1 } : e));
    expect(verifyProof({ ...proof, entrants: reweighted })).toEqual({ ok: false, reason: 'entrantsHash does not match the entrants' });
  });

  it('fails when the seed is changed, even with a fresh commitment for it', () => {
    const other = newSeed();
    expect(verifyProof({ ...proof, seed: other })).toEqual({ ok: false, reason: 'commitment does not match sha256(seed)' });
    expect(verifyProof({ ...proof, seed: other, commitment: commitmentOf(other) })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^order differs at position/),
    });
  });

  it('fails on a reordered order, an unknown algorithm, bad weights and duplicates', () => {
    const [a, b, ...rest] = proof.order;
    expect(verifyProof({ ...proof, order: [b!, a!, ...rest] })).toMatchObject({ ok: false, reason: expect.stringContaining('position 1') });
    expect(verifyProof({ ...proof, order: proof.order.slice(0, -1) })).toMatchObject({ ok: false });
    expect(verifyProof({ ...proof, algorithm: 'coin-flip' })).toMatchObject({ ok: false, reason: expect.stringContaining('unknown algorithm') });
    const zero = entrants.map((e, i) => (i === 0 ? { ...e, weight: 0 } : e));
    expect(verifyProof({ ...proof, entrants: zero, entrantsHash: entrantsHashOf(zero) })).toMatchObject({
      ok: false,
      reason: expect.stringContaining('weight'),
    });
    const dup = [...entrants, entrants[0]!];
    expect(verifyProof({ ...proof, entrants: dup, entrantsHash: entrantsHashOf(dup) })).toMatchObject({
      ok: false,
      reason: expect.stringContaining('twice'),
    });
  });

  it('never throws on malformed input', () => {
    fc.assert(
      fc.property(fc.anything(), (junk) => {
        expect(verifyProof(junk as LotteryProof).ok).toBe(false);
      }),
    );
    expect(verifyProof({ ...proof, entrants: [null] } as unknown as LotteryProof)).toMatchObject({ ok: false });
  });

  it('hashes entrants canonically (sorted by id), independent of input order', () => {
    const reversed = [...entrants].reverse();
    expect(entrantsHashOf(reversed)).toBe(entrantsHashOf(entrants));
    expect(drawOrder(seed, reversed)).toEqual(proof.order);
    const sorted = [...entrants].sort((x, y) => (x.id < y.id ? -1 : 1));
    const expected = createHash('sha256')
      .update(JSON.stringify(sorted.map((e) => ({ id: e.id, weight: e.weight }))))
      .digest('hex');
    expect(entrantsHashOf(entrants)).toBe(expected);
  });
});

describe('uniformOf', () => {
  it('maps every digest strictly inside (0, 1), exactly', () => {
    expect(uniformOf(Buffer.alloc(32, 0))).toBe(2 ** -53);
    expect(uniformOf(Buffer.alloc(32, 0xff))).toBe(1 - 2 ** -53);
    // Only the top 52 bits count: bits below them must not change u.
    const d = Buffer.alloc(32, 0);
    d[6] = 0x0f;
    expect(uniformOf(d)).toBe(2 ** -53);
    d[6] = 0x10;
    expect(uniformOf(d)).toBe(3 * 2 ** -53);
  });
});

describe('weighted draw frequencies (chi-square at 99.9%)', () => {
  it('first pick among weights 1,2,3,4 follows p_i = w_i / sum(w) over 20,000 draws', () => {
    const pool: Entrant[] = [1, 2, 3, 4].map((w) => ({ id: `w${w}`, weight: w }));
    const n = 20_000;
    const firsts = [0, 0, 0, 0];
    const seconds = [0, 0, 0, 0];
    for (let i = 0; i < n; i++) {
      const order = drawOrder(seedAt('first', i), pool);
      firsts[Number(order[0]!.slice(1)) - 1]!++;
      seconds[Number(order[1]!.slice(1)) - 1]!++;
    }
    const w = [1, 2, 3, 4];
    const total = 10;
    const pFirst = w.map((wi) => wi / total);
    expect(chiSquare(firsts, pFirst, n)).toBeLessThan(CHI2_999[3]!);
    // Without replacement: P(second = j) = sum over i != j of p_i * w_j / (W - w_i).
    const pSecond = w.map((wj, j) => w.reduce((s, wi, i) => (i === j ? s : s + (wi / total) * (wj / (total - wi))), 0));
    expect(pSecond.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(chiSquare(seconds, pSecond, n)).toBeLessThan(CHI2_999[3]!);
    // The test can tell: a uniform draw would be rejected by the same statistic.
    expect(chiSquare(firsts, [0.25, 0.25, 0.25, 0.25], n)).toBeGreaterThan(CHI2_999[3]!);
  });

  it('first position of a 3-of-10 draw with weights 1..10 follows the weights', () => {
    const pool: Entrant[] = Array.from({ length: 10 }, (_, i) => ({ id: `e${i}`, weight: i + 1 }));
    const n = 20_000;
    const firsts = new Array<number>(10).fill(0);
    for (let i = 0; i < n; i++) firsts[Number(drawOrder(seedAt('k-of-n', i), pool)[0]!.slice(1))]!++;
    expect(
      chiSquare(
        firsts,
        pool.map((e) => e.weight / 55),
        n,
      ),
    ).toBeLessThan(CHI2_999[9]!);
  });
});

describe('pre-queue shuffle', () => {
  it('is a reproducible permutation that ignores input order', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ minLength: 1 }), { maxLength: 40 }), seedArb, (ids, seed) => {
        const order = shuffleOrder(seed, ids);
        expect([...order].sort()).toEqual([...ids].sort());
        expect(shuffleOrder(seed, [...ids].reverse())).toEqual(order);
      }),
    );
  });

  it('is uniform over the 6 permutations of 3 ids (chi-square at 99.9%)', () => {
    const counts = new Map<string, number>();
    const n = 12_000;
    for (let i = 0; i < n; i++) {
      const key = shuffleOrder(seedAt('shuffle', i), ['a', 'b', 'c']).join('');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(6);
    expect(chiSquare([...counts.values()], new Array(6).fill(1 / 6), n)).toBeLessThan(CHI2_999[5]!);
  });

  it('publishes a proof the same verifier checks', () => {
    const seed = newSeed();
    const ids = ['u3', 'u1', 'u2', 'u9'];
    const list = ids.map((id) => ({ id, weight: 1 }));
    const proof: LotteryProof = {
      commitment: commitmentOf(seed),
      seed,
      entrantsHash: entrantsHashOf(list),
      algorithm: SHUFFLE_ALGORITHM,
      entrants: list,
      order: shuffleOrder(seed, ids),
    };
    expect(verifyProof(proof)).toEqual({ ok: true });
    const weighted = list.map((e, i) => (i === 0 ? { ...e, weight: 2 } : e));
    expect(verifyProof({ ...proof, entrants: weighted, entrantsHash: entrantsHashOf(weighted) })).toMatchObject({ ok: false });
  });
});

describe('draw properties', () => {
  it('any entrant set gives a permutation whose proof verifies', () => {
    const entrantsArb = fc.uniqueArray(fc.record({ id: fc.string({ minLength: 1, maxLength: 12 }), weight: fc.integer({ min: 1, max: 100 }) }), {
      selector: (e) => e.id,
      maxLength: 30,
    });
    fc.assert(
      fc.property(entrantsArb, seedArb, (list, seed) => {
        const proof = proofFor(seed, list);
        expect(proof.order).toHaveLength(list.length);
        expect(new Set(proof.order).size).toBe(list.length);
        expect(verifyProof(proof)).toEqual({ ok: true });
      }),
    );
  });

  it('rejects invalid weights and duplicate ids when drawing', () => {
    expect(() => drawOrder('s', [{ id: 'a', weight: 0.5 }])).toThrow(RangeError);
    expect(() => drawOrder('s', [{ id: 'a', weight: Number.NaN }])).toThrow(RangeError);
    expect(() =>
      drawOrder('s', [
        { id: 'a', weight: 1 },
        { id: 'a', weight: 2 },
      ]),
    ).toThrow(RangeError);
  });
});
