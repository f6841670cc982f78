// The worker-pool matcher is a config switch (TRIVIA_MATCHING_THREADS), so it must judge every
// answer exactly as inline matching does: the same random batches through both.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { Question } from '../../../domain/trivia.js';
import { createMatcher, type MatchPair } from './matching.js';

const questions: Question[] = [
  { text: 'Capital?', kind: 'text', answer: ['Zürich', 'Bern'], timeLimitSec: 10, points: 1000 },
  { text: 'Light?', kind: 'number', answer: { value: 299792, tolerance: 1000 }, timeLimitSec: 10, points: 1000 },
  { text: 'Pick', kind: 'choice', options: ['a', 'b', 'c'], answer: 1, timeLimitSec: 10, points: 1000 },
];

const pair: fc.Arbitrary<MatchPair> = fc.oneof(
  fc.constantFrom('zurich', 'ZÜRICH!', 'Zurch', 'Bern', 'bernn', 'Rom', '').map((choice) => [questions[0]!, choice] as MatchPair),
  fc.integer({ min: 297_000, max: 302_000 }).map((choice) => [questions[1]!, choice] as MatchPair),
  fc.integer({ min: 0, max: 2 }).map((choice) => [questions[2]!, choice] as MatchPair),
);

describe('answer matching, inline and on a worker pool', () => {
  const inline = createMatcher(0);
  const pool = createMatcher(1);
  afterAll(() => Promise.all([inline.close(), pool.close()]));

  it('judges every batch the same both ways', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(pair, { maxLength: 30 }), async (pairs) => {
        expect(await pool.correct(pairs)).toEqual(await inline.correct(pairs));
      }),
      { numRuns: 30, seed: 7 },
    );
    expect(await pool.correct([[questions[0]!, 'Zurch']])).toEqual([true]);
  });
});
