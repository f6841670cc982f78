// SQL for achievements, action counts and streaks.
import { asc, eq, sql } from 'drizzle-orm';
import type { Db, Executor } from '../../platform/db/client.js';
import { arrayLiteral } from '../../platform/db/rows.js';
import { achievements, userAchievements, userActionCounts, userActivitySubjects, userStreaks } from '../../platform/db/schema.js';
import type { AchievementCondition } from '../../domain/achievements.js';

export type AchievementRow = typeof achievements.$inferSelect;

export interface CountIncrement {
  userId: string;
  actionTypeId: string;
  actionTypeKey: string;
  count: number;
}

export interface StreakDay {
  userId: string;
  scope: string;
  day: string;
}

// The new current streak when `excluded.last_day` follows the stored last day or breaks the run.
// Only used where excluded.last_day > last_day (the conflict filter), so an old day never rewinds it.
const NEXT_CURRENT = sql`case when excluded.last_day = user_streaks.last_day + 1 then user_streaks.current + 1 else 1 end`;

export function createAchievementsStore(db: Db) {
  return {
    async insert(values: { key: string; name: string; description: string; condition: AchievementCondition }): Promise<AchievementRow> {
      const [row] = await db.insert(achievements).values(values).returning();
      return row!;
    },

    async list(): Promise<AchievementRow[]> {
      return db.select().from(achievements).orderBy(asc(achievements.createdAt), asc(achievements.key));
    },

    /** Rows must be unique per (user, action type) and sorted, so concurrent batches lock rows in one order. */
    async addCounts(tx: Executor, rows: CountIncrement[]): Promise<void> {
      if (rows.length === 0) return;
      await tx.execute(sql`
        insert into ${userActionCounts} (user_id, action_type_id, action_type_key, count)
        select * from unnest(
          ${arrayLiteral(rows.map((row) => row.userId))}::uuid[], ${arrayLiteral(rows.map((row) => row.actionTypeId))}::uuid[],
          ${arrayLiteral(rows.map((row) => row.actionTypeKey))}::text[], ${arrayLiteral(rows.map((row) => row.count))}::int[])
        on conflict (user_id, action_type_id)
        do update set count = user_action_counts.count + excluded.count, action_type_key = excluded.action_type_key`);
    },

    /**
     * Counts one active day per (user, scope): the day after the last one extends the streak, a
     * later day restarts it at 1, an earlier or equal day is a no-op (and writes nothing, which
     * is the common case of a second action on the same day). Rows must be unique per
     * (user, scope) and sorted.
     */
    async addStreakDays(tx: Executor, rows: StreakDay[]): Promise<void> {
      if (rows.length === 0) return;
      await tx.execute(sql`
        insert into ${userStreaks} (user_id, scope, current, longest, last_day)
        select user_id, scope, 1, 1, day from unnest(
          ${arrayLiteral(rows.map((row) => row.userId))}::uuid[], ${arrayLiteral(rows.map((row) => row.scope))}::text[],
          ${arrayLiteral(rows.map((row) => row.day))}::date[]) as day_rows(user_id, scope, day)
        on conflict (user_id, scope)
        do update set current = ${NEXT_CURRENT}, longest = greatest(user_streaks.longest, ${NEXT_CURRENT}), last_day = excluded.last_day
        where excluded.last_day > user_streaks.last_day`);
    },

    /** Remembers each (user, activity kind, subject) once: what activityCount conditions count. Rows unique and sorted. */
    async addActivitySubjects(tx: Executor, rows: Array<{ userId: string; kind: string; subject: string }>): Promise<void> {
      if (rows.length === 0) return;
      await tx.execute(sql`
        insert into ${userActivitySubjects} (user_id, kind, subject)
        select * from unnest(${arrayLiteral(rows.map((row) => row.userId))}::uuid[], ${arrayLiteral(rows.map((row) => row.kind))}::text[],
                             ${arrayLiteral(rows.map((row) => row.subject))}::text[])
        on conflict do nothing`);
    },

    /** Action counts by type key, longest streaks by scope and distinct activity subjects by kind, in one round trip. */
    async progress(userId: string): Promise<Array<{ kind: 'count' | 'streak' | 'subjects'; scope: string; value: number }>> {
      const counts = db
        .select({ kind: sql<'count' | 'streak' | 'subjects'>`'count'`, scope: userActionCounts.actionTypeKey, value: userActionCounts.count })
        .from(userActionCounts)
        .where(eq(userActionCounts.userId, userId));
      const streaks = db
        .select({ kind: sql<'count' | 'streak' | 'subjects'>`'streak'`, scope: userStreaks.scope, value: userStreaks.longest })
        .from(userStreaks)
        .where(eq(userStreaks.userId, userId));
      const subjects = db
        .select({ kind: sql<'count' | 'streak' | 'subjects'>`'subjects'`, scope: userActivitySubjects.kind, value: sql<number>`count(*)::int` })
        .from(userActivitySubjects)
        .where(eq(userActivitySubjects.userId, userId))
        .groupBy(userActivitySubjects.kind);
      return counts.unionAll(streaks).unionAll(subjects);
    },

    async streaks(userId: string) {
      return db
        .select({ scope: userStreaks.scope, current: userStreaks.current, longest: userStreaks.longest, lastDay: userStreaks.lastDay })
        .from(userStreaks)
        .where(eq(userStreaks.userId, userId));
    },

    async awardedIds(userId: string): Promise<string[]> {
      const rows = await db.select({ id: userAchievements.achievementId }).from(userAchievements).where(eq(userAchievements.userId, userId));
      return rows.map((row) => row.id);
    },

    /** Inserts the awards not held yet; returns only those this call inserted, so concurrent callers never both win. */
    async award(userId: string, achievementIds: string[]): Promise<Array<{ achievementId: string; awardedAt: Date }>> {
      return db
        .insert(userAchievements)
        .values(achievementIds.map((achievementId) => ({ userId, achievementId })))
        .onConflictDoNothing()
        .returning({ achievementId: userAchievements.achievementId, awardedAt: userAchievements.awardedAt });
    },

    async awardsOf(userId: string) {
      return db
        .select({ key: achievements.key, name: achievements.name, description: achievements.description, awardedAt: userAchievements.awardedAt })
        .from(userAchievements)
        .innerJoin(achievements, eq(achievements.id, userAchievements.achievementId))
        .where(eq(userAchievements.userId, userId))
        .orderBy(asc(userAchievements.awardedAt), asc(achievements.key));
    },
  };
}

export type AchievementsStore = ReturnType<typeof createAchievementsStore>;
