import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Question } from '../../../domain/trivia.js';
import { choiceProblem, isCorrect, matchesText, normalizeText, questionProblems, withinOneEdit } from './rules.js';

const base = { text: 'Q', timeLimitSec: 20, points: 1000 };
const choice: Question = { ...base, kind: 'choice', options: ['a', 'b', 'c'], answer: 1 };

/** Levenshtein distance, the brute-force oracle for withinOneEdit. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

describe('quiz rules', () => {
  it('accepts valid questions of every kind', () => {
    expect(questionProblems(choice, '/questions/0')).toEqual([]);
    expect(questionProblems({ ...base, kind: 'multi', options: ['a', 'b', 'c'], answer: [0, 2] }, '')).toEqual([]);
    expect(questionProblems({ ...base, kind: 'text', answer: ['Paris'] }, '')).toEqual([]);
    expect(questionProblems({ ...base, kind: 'number', answer: { value: 3.14, tolerance: 0.01 } }, '')).toEqual([]);
  });

  it('refuses no correct option, too few options and time limits out of range', () => {
    expect(questionProblems({ ...choice, answer: 3 }, '/q')).toEqual([{ field: '/q/answer', message: expect.any(String) }]);
    expect(questionProblems({ ...choice, options: ['a'], answer: 0 }, '')[0]!.field).toBe('/options');
    expect(questionProblems({ ...choice, kind: 'multi', answer: [] }, '')[0]!.field).toBe('/answer');
    expect(questionProblems({ ...choice, timeLimitSec: 4 }, '')[0]!.field).toBe('/timeLimitSec');
    expect(questionProblems({ ...choice, timeLimitSec: 121 }, '')[0]!.field).toBe('/timeLimitSec');
    expect(questionProblems({ ...base, kind: 'text', answer: ['?!'] }, '')[0]!.field).toBe('/answer');
    expect(questionProblems({ ...base, kind: 'number', answer: { value: 1, tolerance: -1 } }, '')[0]!.field).toBe('/answer');
  });

  it('checks the shape of a player answer', () => {
    expect(choiceProblem(choice, 2)).toBeUndefined();
    expect(choiceProblem(choice, 3)).toMatch(/index/);
    expect(choiceProblem(choice, 'b')).toMatch(/index/);
    expect(choiceProblem({ ...choice, kind: 'multi', answer: [0] }, [0, 0])).toMatch(/distinct/);
    expect(choiceProblem({ ...base, kind: 'number', answer: { value: 1, tolerance: 0 } }, '1')).toMatch(/number/);
  });

  it('matches text ignoring case, accents, punctuation, and one typo from 5 letters', () => {
    expect(normalizeText("  L'Été,  Brûlant! ")).toBe('l ete brulant');
    expect(matchesText(['Zürich'], 'zurich')).toBe(true);
    expect(matchesText(['Paris'], 'Pariss')).toBe(true);
    expect(matchesText(['Paris'], 'Parsi')).toBe(false);
    expect(matchesText(['Rome'], 'Rom')).toBe(false);
    expect(matchesText(['Rome'], 'ROME.')).toBe(true);
    expect(matchesText(['Paris'], '')).toBe(false);
  });

  it('withinOneEdit agrees with the Levenshtein distance', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', 'b', 'c'), maxLength: 7 }),
        fc.string({ unit: fc.constantFrom('a', 'b', 'c'), maxLength: 7 }),
        (a, b) => {
          expect(withinOneEdit(a, b)).toBe(distance(a, b) <= 1);
        },
      ),
      { seed: 12, numRuns: 2000 },
    );
  });

  it('judges each kind', () => {
    expect(isCorrect(choice, 1)).toBe(true);
    expect(isCorrect(choice, 0)).toBe(false);
    const multi: Question = { ...base, kind: 'multi', options: ['a', 'b', 'c'], answer: [0, 2] };
    expect(isCorrect(multi, [2, 0])).toBe(true);
    expect(isCorrect(multi, [0])).toBe(false);
    expect(isCorrect(multi, [0, 1, 2])).toBe(false);
    const number: Question = { ...base, kind: 'number', answer: { value: 100, tolerance: 5 } };
    expect(isCorrect(number, 105)).toBe(true);
    expect(isCorrect(number, 105.5)).toBe(false);
  });
});
