import { describe, expect, it } from 'vitest';
import { isMet, type Progress } from './conditions.js';
import { dayLayers, localDay, localMidnight, viewStreak } from './streaks.js';

describe('local days', () => {
  it('shifts the UTC instant by the offset', () => {
    const instant = new Date('2026-03-01T23:30:00Z');
    expect(localDay(instant, 0)).toBe('2026-03-01');
    expect(localDay(instant, 60)).toBe('2026-03-02');
    expect(localDay(new Date('2026-03-01T03:00:00Z'), -300)).toBe('2026-02-28');
    expect(localDay(new Date('2026-12-31T10:00:00Z'), 840)).toBe('2027-01-01');
  });

  it('finds the UTC instant of a local midnight', () => {
    expect(localMidnight('2026-03-02', 60).toISOString()).toBe('2026-03-01T23:00:00.000Z');
    expect(localMidnight('2026-03-02', -720).toISOString()).toBe('2026-03-02T12:00:00.000Z');
  });
});

describe('viewStreak', () => {
  const stored = { current: 4, longest: 6, lastDay: '2026-03-10' };

  it('is alive through the day after the last action and breaks at its end', () => {
    expect(viewStreak(stored, 0, new Date('2026-03-11T23:59:59Z'))).toEqual({
      current: 4,
      longest: 6,
      lastDay: '2026-03-10',
      breaksAt: '2026-03-12T00:00:00.000Z',
    });
    expect(viewStreak(stored, 0, new Date('2026-03-12T00:00:00Z'))).toEqual({ current: 0, longest: 6, lastDay: '2026-03-10', breaksAt: null });
    expect(viewStreak(stored, 120, new Date('2026-03-11T21:59:59Z')).breaksAt).toBe('2026-03-11T22:00:00.000Z');
  });

  it('is empty without a stored streak', () => {
    expect(viewStreak(undefined, 0, new Date())).toEqual({ current: 0, longest: 0, lastDay: null, breaksAt: null });
  });
});

describe('dayLayers', () => {
  it('puts each key once per layer, days ascending across layers, duplicates dropped', () => {
    const layers = dayLayers([
      { key: 'u1', day: '2026-03-02' },
      { key: 'u2', day: '2026-03-01' },
      { key: 'u1', day: '2026-03-01' },
      { key: 'u1', day: '2026-03-02' },
    ]);
    expect(layers).toEqual([
      [
        { key: 'u1', day: '2026-03-01' },
        { key: 'u2', day: '2026-03-01' },
      ],
      [{ key: 'u1', day: '2026-03-02' }],
    ]);
  });
});

describe('isMet', () => {
  const progress: Progress = {
    scores: { global: 100 },
    ranks: { global: 3 },
    counts: new Map([['solve', 5]]),
    longestStreaks: new Map([
      ['*', 7],
      ['solve', 2],
      ['activity:product.viewed', 7],
    ]),
    activitySubjects: new Map([['ranking.submitted', 3]]),
  };

  it('compares each kind of condition with the matching progress, inclusive', () => {
    expect(isMet({ type: 'score', board: 'global', atLeast: 100 }, progress)).toBe(true);
    expect(isMet({ type: 'score', board: 'global', atLeast: 101 }, progress)).toBe(false);
    expect(isMet({ type: 'score', board: 'event:x', atLeast: 1 }, progress)).toBe(false);
    expect(isMet({ type: 'rank', board: 'global', atMost: 3 }, progress)).toBe(true);
    expect(isMet({ type: 'rank', board: 'global', atMost: 2 }, progress)).toBe(false);
    expect(isMet({ type: 'rank', board: 'weekly', atMost: 100 }, progress)).toBe(false);
    expect(isMet({ type: 'actionCount', actionType: 'solve', atLeast: 5 }, progress)).toBe(true);
    expect(isMet({ type: 'actionCount', actionType: 'match', atLeast: 1 }, progress)).toBe(false);
    expect(isMet({ type: 'streak', atLeast: 7 }, progress)).toBe(true);
    expect(isMet({ type: 'streak', actionType: 'solve', atLeast: 3 }, progress)).toBe(false);
    expect(isMet({ type: 'activityCount', activity: 'ranking.submitted', atLeast: 3 }, progress)).toBe(true);
    expect(isMet({ type: 'activityCount', activity: 'ranking.submitted', atLeast: 4 }, progress)).toBe(false);
    expect(isMet({ type: 'activityCount', activity: 'registration', atLeast: 1 }, progress)).toBe(false);
    expect(isMet({ type: 'activityStreak', activity: 'product.viewed', atLeast: 7 }, progress)).toBe(true);
    expect(isMet({ type: 'activityStreak', activity: 'product.viewed', atLeast: 8 }, progress)).toBe(false);
    // An action type's streak is not an activity's, though both live in the streak table.
    expect(isMet({ type: 'activityStreak', activity: 'action.completed', atLeast: 1 }, progress)).toBe(false);
  });
});
