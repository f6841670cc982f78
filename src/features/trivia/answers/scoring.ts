// The scoring formula (docs/trivia.md): a right answer scores points × (1 − elapsed / limit / 2),
// full points within the first half second; a wrong one scores 0. With the streak bonus on, the
// n-th right answer in a row adds 100 × (n − 1), at most 500.

export const FULL_POINTS_WITHIN_MS = 500;
export const STREAK_STEP = 100;
export const STREAK_CAP = 500;

export interface ScoreInput {
  correct: boolean;
  points: number;
  /** Receipt time minus opensAt, in ms; clamped into [0, limit]. Answers in the grace period score as at the limit. */
  elapsedMs: number;
  limitMs: number;
  /** Right answers in a row before this one. */
  streak: number;
  streakBonus: boolean;
}

export function scoreAnswer({ correct, points, elapsedMs, limitMs, streak, streakBonus }: ScoreInput): number {
  if (!correct) return 0;
  const elapsed = Math.min(Math.max(elapsedMs, 0), limitMs);
  const base = elapsed <= FULL_POINTS_WITHIN_MS ? points : Math.round(points * (1 - elapsed / limitMs / 2));
  return base + (streakBonus ? Math.min(STREAK_STEP * streak, STREAK_CAP) : 0);
}
