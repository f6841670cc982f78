// What a user's activity log records, and what achievements can count.

export const ACTIVITY_KINDS = ['action.completed', 'achievement.awarded', 'ranking.submitted', 'registration', 'product.viewed'] as const;
export type ActivityKind = (typeof ACTIVITY_KINDS)[number];

/** Kinds that feed achievement counts and streaks but write no log row: a view is too frequent to list. */
export const UNLOGGED_KINDS: ReadonlySet<ActivityKind> = new Set(['product.viewed']);

/** Streak scopes of activity kinds; ':' never occurs in an action type key, so they cannot collide. */
export const ACTIVITY_SCOPE_PREFIX = 'activity:';
export const activityStreakScope = (kind: ActivityKind) => `${ACTIVITY_SCOPE_PREFIX}${kind}`;

export interface ActivityEntry {
  userId: string;
  kind: ActivityKind;
  /** What it was about: an action type key, an achievement key, a category, an event id, a product id. */
  subject: string;
  details?: Record<string, unknown>;
  at: Date;
}
