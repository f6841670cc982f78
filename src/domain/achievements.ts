// What an achievement's condition can say, and the key of the overall streak.

export type AchievementCondition =
  | { type: 'score'; board: string; atLeast: number }
  | { type: 'actionCount'; actionType: string; atLeast: number }
  | { type: 'streak'; actionType?: string; atLeast: number }
  | { type: 'rank'; board: string; atMost: number };

export const OVERALL_STREAK = '*';
