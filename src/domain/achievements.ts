// What an achievement's condition can say, and the key of the overall streak.
import type { ActivityKind } from './activity.js';

export type AchievementCondition =
  | { type: 'score'; board: string; atLeast: number }
  | { type: 'actionCount'; actionType: string; atLeast: number }
  | { type: 'streak'; actionType?: string; atLeast: number }
  | { type: 'rank'; board: string; atMost: number }
  /** Distinct subjects of one activity kind: categories ranked, products viewed, events registered for. */
  | { type: 'activityCount'; activity: ActivityKind; atLeast: number }
  /** Days in a row with at least one activity of the kind. */
  | { type: 'activityStreak'; activity: ActivityKind; atLeast: number };

export const OVERALL_STREAK = '*';
