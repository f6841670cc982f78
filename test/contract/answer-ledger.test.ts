// One suite for both answer ledger adapters, Redis real: first answer wins, repeats get the
// first back, release undoes only what it claimed, and (on Redis) two instances racing for one
// key get exactly one winner. The property test compares both with a brute-force model.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AnswerClaim, AnswerLedger } from '../../src/platform/answer-ledger/port.js';
import { usePorts, variants } from './ports.js';

const claim = (key: string, value: string, points = 100, member = key, scope = 'game-1'): AnswerClaim => ({ scope, key, value, member, points });

describe.each(variants)('answer ledger contract ($name)', (variant) => {
  const open = usePorts(variant);
  const ledger = async (): Promise<AnswerLedger> => (await open()).answerLedger;

  it('keeps the first answer per key, returns it to repeats, and tallies the first only', async () => {
    const answers = await ledger();
    expect(await answers.claim([claim('0/p1', 'A', 900, 'p1'), claim('0/p2', 'B', 0, 'p2')])).toEqual([{ first: true }, { first: true }]);
    expect(await answers.claim([claim('0/p1', 'A', 900, 'p1'), claim('0/p1', 'C', 500, 'p1'), claim('1/p1', 'D', 700, 'p1')])).toEqual([
      { first: false, value: 'A' },
      { first: false, value: 'A' },
      { first: true },
    ]);
    expect(await answers.totals('game-1')).toEqual(
      new Map([
        ['p1', 1600],
        ['p2', 0],
      ]),
    );
  });

  it('sees an earlier claim of the same call', async () => {
    const answers = await ledger();
    expect(await answers.claim([claim('0/p1', 'A', 10, 'p1'), claim('0/p1', 'B', 20, 'p1')])).toEqual([
      { first: true },
      { first: false, value: 'A' },
    ]);
    expect(await answers.totals('game-1')).toEqual(new Map([['p1', 10]]));
  });

  it('keeps scopes apart, and drop forgets one scope', async () => {
    const answers = await ledger();
    await answers.claim([claim('0/p1', 'A', 1, 'p1', 'g:{1}'), claim('0/p1', 'B', 2, 'p1', 'g:{2}')]);
    expect(await answers.claim([claim('0/p1', 'Z', 1, 'p1', 'g:{2}')])).toEqual([{ first: false, value: 'B' }]);
    await answers.drop('g:{1}');
    expect(await answers.totals('g:{1}')).toEqual(new Map());
    expect(await answers.claim([claim('0/p1', 'C', 1, 'p1', 'g:{1}')])).toEqual([{ first: true }]);
    expect(await answers.totals('g:{2}')).toEqual(new Map([['p1', 2]]));
  });

  it('release frees a key and takes its points back only while it holds the released value', async () => {
    const answers = await ledger();
    await answers.claim([claim('0/p1', 'A', 300, 'p1'), claim('1/p1', 'B', 200, 'p1')]);
    await answers.release([claim('0/p1', 'A', 300, 'p1'), claim('1/p1', 'not-held', 200, 'p1')]);
    await answers.release([claim('0/p1', 'A', 300, 'p1')]);
    expect(await answers.totals('game-1')).toEqual(new Map([['p1', 200]]));
    expect(await answers.claim([claim('0/p1', 'C', 50, 'p1'), claim('1/p1', 'D', 50, 'p1')])).toEqual([
      { first: true },
      { first: false, value: 'B' },
    ]);
    expect(await answers.totals('game-1')).toEqual(new Map([['p1', 250]]));
  });

  it('rejects input it cannot hold, claiming nothing', async () => {
    const answers = await ledger();
    await expect(answers.claim([claim('0/p1', 'A'), claim('0/p2', '')])).rejects.toThrow(RangeError);
    await expect(answers.claim([claim('0/p1', 'A', 1.5)])).rejects.toThrow(RangeError);
    expect(await answers.claim([claim('0/p1', 'A')])).toEqual([{ first: true }]);
  });

  it.runIf(variant.shared)('gives one winner to two instances claiming the same keys at once', async () => {
    const [one, two] = [await ledger(), await ledger()];
    const keys = Array.from({ length: 200 }, (_, i) => `0/p${i}`);
    const [a, b] = await Promise.all([
      one.claim(keys.map((key) => claim(key, `one:${key}`, 1, key))),
      two.claim(keys.map((key) => claim(key, `two:${key}`, 1, key))),
    ]);
    keys.forEach((key, i) => expect([a[i]!.first, b[i]!.first].filter(Boolean)).toHaveLength(1));
    const totals = await one.totals('game-1');
    expect([...totals.values()].every((points) => points === 1)).toBe(true);
    expect(totals.size).toBe(keys.length);
  });

  it('matches a brute-force model under random claims and releases', async () => {
    const answers = await ledger();
    const op = fc.record({
      release: fc.boolean(),
      key: fc.constantFrom('0/a', '0/b', '1/a', '1/b'),
      value: fc.constantFrom('x', 'y'),
      points: fc.integer({ min: -5, max: 1_000 }),
    });
    let round = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 20 }), async (ops) => {
        const scope = `prop-${round++}`;
        const firsts = new Map<string, AnswerClaim>();
        for (const { release, key, value, points } of ops) {
          const entry = claim(key, value, points, key.slice(2), scope);
          const held = firsts.get(key);
          if (release) {
            // A caller releases exactly what it claimed; a value not held is a no-op.
            await answers.release([held?.value === value ? held : entry]);
            if (held?.value === value) firsts.delete(key);
            continue;
          }
          expect(await answers.claim([entry])).toEqual([held ? { first: false, value: held.value } : { first: true }]);
          if (!held) firsts.set(key, entry);
        }
        const expected = new Map<string, number>();
        for (const entry of firsts.values()) expected.set(entry.member, (expected.get(entry.member) ?? 0) + entry.points);
        const totals = await answers.totals(scope);
        for (const [member, points] of expected) expect(totals.get(member)).toBe(points);
        for (const [member, points] of totals) expect(points).toBe(expected.get(member) ?? 0);
      }),
      { numRuns: 40, seed: 12 },
    );
  });
});
