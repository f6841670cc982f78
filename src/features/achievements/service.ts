// Achievements and streaks. The scoring feature calls recordActions inside its action batch's
// transaction (counts and streaks commit with the actions) and evaluate after commit (awards,
// each once ever, and the realtime `achievement` event).
import { AppError } from '../../errors.js';
import type { Cache } from '../../platform/cache/port.js';
import type { Executor } from '../../platform/db/client.js';
import { pgErrorInfo, UNIQUE_VIOLATION } from '../../platform/db/errors.js';
import { OVERALL_STREAK, type AchievementCondition } from '../../domain/achievements.js';
import { ACTIVITY_SCOPE_PREFIX, activityStreakScope, type ActivityEntry } from '../../domain/activity.js';
import type { Push } from '../../platform/push/port.js';
import { awardedTag, DEFINITIONS_TAG } from './keys.js';
import { isMet, needsStoredProgress, normalizeCondition, type ConditionInput, type Progress } from './conditions.js';
import type { AchievementsStore, CountIncrement, StreakDay } from './store.js';
import { dayLayers, localDay, viewStreak, type StreakView } from './streaks.js';

export interface CompletedAction {
  userId: string;
  actionTypeId: string;
  actionTypeKey: string;
  completedAt: Date;
  /** The user's offset when the action completed: it decides which local day the action counts for. */
  utcOffsetMinutes: number;
}

export interface Achievement {
  key: string;
  name: string;
  description: string;
  condition: AchievementCondition;
  createdAt: string;
}

export interface Award {
  key: string;
  name: string;
  description: string;
  awardedAt: string;
}

export interface Streaks {
  utcOffsetMinutes: number;
  overall: StreakView;
  byActionType: Record<string, StreakView>;
  /** Days in a row with an activity of the kind (product.viewed, ranking.submitted...). */
  byActivity: Record<string, StreakView>;
}

export interface AchievementsDeps {
  store: AchievementsStore;
  cache: Cache;
  push: Pick<Push, 'toUser'>;
  /** The accounts feature's cached offset lookup. */
  utcOffsetMinutes: (userId: string) => Promise<number>;
}

type Definition = Achievement & { id: string };

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function createAchievementsService({ store, cache, push, utcOffsetMinutes }: AchievementsDeps) {
  // Read on every completed action, so cached until a new achievement is created.
  const definitions = cache.define({
    name: 'achievements',
    ttlSeconds: 3600,
    load: async (_all: 'all'): Promise<Definition[]> =>
      (await store.list()).map((row) => ({
        id: row.id,
        key: row.key,
        name: row.name,
        description: row.description,
        condition: row.condition,
        createdAt: row.createdAt.toISOString(),
      })),
    tags: () => [DEFINITIONS_TAG],
  });
  // Lets evaluate skip what a user already holds without a query; the insert stays the arbiter.
  const awardedIds = cache.define({
    name: 'achievements-awarded',
    ttlSeconds: 300,
    load: (userId: string) => store.awardedIds(userId),
    tags: (userId) => [awardedTag(userId)],
  });

  async function storedProgress(userId: string): Promise<Omit<Progress, 'scores' | 'ranks'>> {
    const counts = new Map<string, number>();
    const longestStreaks = new Map<string, number>();
    const activitySubjects = new Map<string, number>();
    for (const row of await store.progress(userId)) {
      const target = row.kind === 'count' ? counts : row.kind === 'streak' ? longestStreaks : activitySubjects;
      target.set(row.scope, (target.get(row.scope) ?? 0) + Number(row.value));
    }
    return { counts, longestStreaks, activitySubjects };
  }

  /** Streak days (one upsert per layer, rows sorted so concurrent batches lock in one order). */
  async function addStreakDays(tx: Executor, days: Array<StreakDay & { key: string }>): Promise<void> {
    for (const layer of dayLayers(days)) {
      await store.addStreakDays(
        tx,
        layer.sort((a, b) => byText(a.userId, b.userId) || byText(a.scope, b.scope)),
      );
    }
  }

  return {
    async create(input: { key: string; name: string; description: string; condition: ConditionInput }): Promise<Achievement> {
      let row;
      try {
        row = await store.insert({ ...input, condition: normalizeCondition(input.condition) });
      } catch (error) {
        const info = pgErrorInfo(error);
        if (info?.code === UNIQUE_VIOLATION && info.constraint === 'achievements_key_key') {
          throw new AppError('ACHIEVEMENT_KEY_TAKEN', `An achievement with key '${input.key}' already exists`);
        }
        throw error;
      }
      await cache.invalidate(DEFINITIONS_TAG);
      return { key: row.key, name: row.name, description: row.description, condition: row.condition, createdAt: row.createdAt.toISOString() };
    },

    async list(): Promise<Achievement[]> {
      return (await definitions.get('all')).value.map(({ id: _id, ...achievement }) => achievement);
    },

    /**
     * Inside the action batch's transaction: per-user action counts and streaks (overall and per
     * type). A handful of statements per batch whatever its size; rows are sorted so concurrent
     * batches lock them in the same order.
     */
    async recordActions(tx: Executor, actions: CompletedAction[]): Promise<void> {
      if (actions.length === 0) return;
      const counts = new Map<string, CountIncrement>();
      const days: Array<StreakDay & { key: string }> = [];
      for (const action of actions) {
        const countKey = `${action.userId}/${action.actionTypeId}`;
        const count = counts.get(countKey);
        if (count) count.count += 1;
        else counts.set(countKey, { userId: action.userId, actionTypeId: action.actionTypeId, actionTypeKey: action.actionTypeKey, count: 1 });
        const day = localDay(action.completedAt, action.utcOffsetMinutes);
        for (const scope of [OVERALL_STREAK, action.actionTypeKey])
          days.push({ key: `${action.userId}/${scope}`, userId: action.userId, scope, day });
      }
      await store.addCounts(
        tx,
        [...counts.values()].sort((a, b) => byText(a.userId, b.userId) || byText(a.actionTypeId, b.actionTypeId)),
      );
      await addStreakDays(tx, days);
    },

    /** Inside the activity batch's transaction: distinct subjects per kind and a streak per kind. */
    async recordActivities(tx: Executor, entries: Array<ActivityEntry & { utcOffsetMinutes: number }>): Promise<void> {
      if (entries.length === 0) return;
      const subjects = new Map<string, { userId: string; kind: string; subject: string }>();
      const days: Array<StreakDay & { key: string }> = [];
      for (const entry of entries) {
        subjects.set(`${entry.userId}/${entry.kind}/${entry.subject}`, { userId: entry.userId, kind: entry.kind, subject: entry.subject });
        const scope = activityStreakScope(entry.kind);
        days.push({ key: `${entry.userId}/${scope}`, userId: entry.userId, scope, day: localDay(entry.at, entry.utcOffsetMinutes) });
      }
      await store.addActivitySubjects(
        tx,
        [...subjects.values()].sort((a, b) => byText(a.userId, b.userId) || byText(a.kind, b.kind) || byText(a.subject, b.subject)),
      );
      await addStreakDays(tx, days);
    },

    /** After commit: awards each achievement the user now meets, once ever, and pushes `achievement` on user:<id>. */
    async evaluate(input: {
      userId: string;
      scores: Record<string, number>;
      ranks: Record<string, number>;
    }): Promise<Array<{ key: string; name: string }>> {
      const all = (await definitions.get('all')).value;
      if (all.length === 0) return [];
      const held = new Set((await awardedIds.get(input.userId)).value);
      const open = all.filter((definition) => !held.has(definition.id));
      if (open.length === 0) return [];
      const stored = open.some((definition) => needsStoredProgress(definition.condition))
        ? await storedProgress(input.userId)
        : { counts: new Map<string, number>(), longestStreaks: new Map<string, number>(), activitySubjects: new Map<string, number>() };
      const progress: Progress = { scores: input.scores, ranks: input.ranks, ...stored };
      const met = open.filter((definition) => isMet(definition.condition, progress));
      if (met.length === 0) return [];

      const inserted = await store.award(
        input.userId,
        met.map((definition) => definition.id),
      );
      if (inserted.length === 0) return [];
      await cache.invalidate(awardedTag(input.userId));
      const byId = new Map(met.map((definition) => [definition.id, definition]));
      return inserted.map(({ achievementId, awardedAt }) => {
        const { key, name, description } = byId.get(achievementId)!;
        const award: Award = { key, name, description, awardedAt: awardedAt.toISOString() };
        push.toUser(input.userId, 'achievement', award);
        return { key, name };
      });
    },

    async awardsOf(userId: string): Promise<Award[]> {
      return (await store.awardsOf(userId)).map((row) => ({ ...row, awardedAt: row.awardedAt.toISOString() }));
    },

    async streaks(userId: string, now = new Date()): Promise<Streaks> {
      const [offset, rows] = await Promise.all([utcOffsetMinutes(userId), store.streaks(userId)]);
      const byActionType: Record<string, StreakView> = {};
      const byActivity: Record<string, StreakView> = {};
      let overall = viewStreak(undefined, offset, now);
      for (const row of rows) {
        const view = viewStreak(row, offset, now);
        if (row.scope === OVERALL_STREAK) overall = view;
        else if (row.scope.startsWith(ACTIVITY_SCOPE_PREFIX)) byActivity[row.scope.slice(ACTIVITY_SCOPE_PREFIX.length)] = view;
        else byActionType[row.scope] = view;
      }
      return { utcOffsetMinutes: offset, overall, byActionType, byActivity };
    },
  };
}

export type AchievementsService = ReturnType<typeof createAchievementsService>;
