// Achievement conditions: their schema and whether a user's progress meets one. Pure.
import { Type, type Static } from 'typebox';
import type { AchievementCondition } from '../../domain/achievements.js';
import { OVERALL_STREAK } from '../../domain/achievements.js';
import { ACTIVITY_KINDS, activityStreakScope, type ActivityKind } from '../../domain/activity.js';

// Board names as the scoring feature spells them: global, event:<id>, daily, game:<id>...
const BoardName = Type.String({ pattern: '^[A-Za-z0-9_.-]+(:[A-Za-z0-9_.-]+)*$', maxLength: 128 });
const ActionTypeKey = Type.String({ pattern: '^[A-Za-z0-9_.-]+$', maxLength: 64 });
// A union built from an array is typed never by TypeBox 1; Unsafe restores the literal type.
const ActivityKindSchema = Type.Unsafe<ActivityKind>(Type.Union(ACTIVITY_KINDS.map((kind) => Type.Literal(kind))));
const Count = Type.Integer({ minimum: 1, maximum: 1_000_000_000 });

export const ConditionSchema = Type.Union(
  [
    Type.Object(
      { type: Type.Literal('score'), board: Type.Optional(BoardName), atLeast: Type.Number({ exclusiveMinimum: 0, maximum: 1e15 }) },
      { additionalProperties: false, description: 'Score on a board (default global) of at least atLeast' },
    ),
    Type.Object(
      { type: Type.Literal('actionCount'), actionType: ActionTypeKey, atLeast: Count },
      { additionalProperties: false, description: 'At least atLeast completed actions of one type' },
    ),
    Type.Object(
      { type: Type.Literal('streak'), actionType: Type.Optional(ActionTypeKey), atLeast: Type.Integer({ minimum: 1, maximum: 100_000 }) },
      { additionalProperties: false, description: 'A streak of at least atLeast days, of any action or of one type' },
    ),
    Type.Object(
      { type: Type.Literal('rank'), board: BoardName, atMost: Count },
      { additionalProperties: false, description: 'Rank atMost or better on a board' },
    ),
    Type.Object(
      { type: Type.Literal('activityCount'), activity: ActivityKindSchema, atLeast: Count },
      {
        additionalProperties: false,
        description: 'At least atLeast distinct subjects of one activity: categories ranked, products viewed, events registered for',
      },
    ),
    Type.Object(
      { type: Type.Literal('activityStreak'), activity: ActivityKindSchema, atLeast: Type.Integer({ minimum: 1, maximum: 100_000 }) },
      { additionalProperties: false, description: 'At least atLeast days in a row with one activity of the kind, e.g. product.viewed' },
    ),
  ],
  { description: 'What earns the achievement' },
);

export type ConditionInput = Static<typeof ConditionSchema>;

/** Fills defaults so that stored conditions are explicit. */
export function normalizeCondition(input: ConditionInput): AchievementCondition {
  return input.type === 'score' ? { ...input, board: input.board ?? 'global' } : input;
}

export interface Progress {
  /** Board name -> the user's score there, as of the action just completed. */
  scores: Record<string, number>;
  /** Board name -> the user's 1-based rank there. */
  ranks: Record<string, number>;
  /** Action type key -> completed actions. */
  counts: Map<string, number>;
  /** Streak scope (OVERALL_STREAK, a type key or an activity scope) -> longest streak in days, the current one included. */
  longestStreaks: Map<string, number>;
  /** Activity kind -> distinct subjects. */
  activitySubjects: Map<string, number>;
}

export function needsStoredProgress(condition: AchievementCondition): boolean {
  return condition.type !== 'score' && condition.type !== 'rank';
}

/** A streak achievement counts the longest streak, so one reached before the achievement existed still earns it. */
export function isMet(condition: AchievementCondition, progress: Progress): boolean {
  switch (condition.type) {
    case 'score': {
      const score = progress.scores[condition.board];
      return score !== undefined && score >= condition.atLeast;
    }
    case 'rank': {
      const rank = progress.ranks[condition.board];
      return rank !== undefined && rank >= 1 && rank <= condition.atMost;
    }
    case 'actionCount':
      return (progress.counts.get(condition.actionType) ?? 0) >= condition.atLeast;
    case 'streak':
      return (progress.longestStreaks.get(condition.actionType ?? OVERALL_STREAK) ?? 0) >= condition.atLeast;
    case 'activityCount':
      return (progress.activitySubjects.get(condition.activity) ?? 0) >= condition.atLeast;
    case 'activityStreak':
      return (progress.longestStreaks.get(activityStreakScope(condition.activity)) ?? 0) >= condition.atLeast;
  }
}
