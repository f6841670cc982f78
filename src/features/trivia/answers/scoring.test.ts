import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scoreAnswer } from './scoring.js';

describe('trivia scoring', () => {
  it('follows the formula for every input (property)', () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: -1_000, max: 130_000 }),
        fc.integer({ min: 5, max: 120 }),
        fc.integer({ min: 0, max: 50 }),
        fc.boolean(),
        (correct, points, elapsedMs, limitSec, streak, streakBonus) => {
          const limitMs = limitSec * 1000;
          const score = scoreAnswer({ correct, points, elapsedMs, limitMs, streak, streakBonus });
          if (!correct) {
            expect(score).toBe(0);
            return;
          }
          const elapsed = Math.min(Math.max(elapsedMs, 0), limitMs);
          const bonus = streakBonus ? Math.min(100 * streak, 500) : 0;
          const base = score - bonus;
          if (elapsed <= 500) expect(base).toBe(points);
          else expect(Math.abs(base - points * (1 - elapsed / limitMs / 2))).toBeLessThanOrEqual(0.5);
          // Never less than half the points, never more than all of them plus the bonus.
          expect(base).toBeGreaterThanOrEqual(Math.floor(points / 2));
          expect(base).toBeLessThanOrEqual(points);
        },
      ),
      { seed: 1212, numRuns: 5000 },
    );
  });

  it('scores the edges', () => {
    const at = (elapsedMs: number, streak = 0) => scoreAnswer({ correct: true, points: 1000, elapsedMs, limitMs: 20_000, streak, streakBonus: true });
    expect(at(500)).toBe(1000);
    expect(at(10_000)).toBe(750);
    expect(at(20_000)).toBe(500);
    expect(at(20_400)).toBe(500);
    expect(at(0, 3)).toBe(1300);
    expect(at(0, 9)).toBe(1500);
  });
});
