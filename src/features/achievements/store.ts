// SQL for achievements, action counts and streaks.
import { asc, eq, sql } from 'drizzle-orm';
import type { Db, Executor } from '../../platform/db/client.js';
import { achievements, userAchievements, userActionCounts, userStreaks, type AchievementCondition } from '../../platform/db/schema.js';

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
// Only used where excluded.last_day > last_day (see setWhere), so an old day never rewinds it.
const NEXT_CURRENT = sql`case when excluded.last_day = ${userStreaks.lastDay} + 1 then ${userStreaks.current} + 1 else 1 end`;

// Chunks keep every statement well under PostgreSQL's 65,535 bind parameters.
const ROWS_PER_STATEMENT = 5_000;

function chunks<T>(rows: T[]): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) result.push(rows.slice(start, start + ROWS_PER_STATEMENT));
  return result;
}

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
      for (const chunk of chunks(rows)) {
        await tx
          .insert(userActionCounts)
          .values(chunk)
          .onConflictDoUpdate({
            target: [userActionCounts.userId, userActionCounts.actionTypeId],
            set: { count: sql`${userActionCounts.count} + excluded.count`, actionTypeKey: sql`excluded.action_type_key` },
          });
      }
    },

    /**
     * Counts one active day per (user, scope): the day after the last one extends the streak, a
     * later day restarts it at 1, an earlier or equal day is a no-op (and writes nothing, which
     * is the common case of a second action on the same day). Rows must be unique per
     * (user, scope) and sorted.
     */
    async addStreakDays(tx: Executor, rows: StreakDay[]): Promise<void> {
      for (const chunk of chunks(rows)) {
        await tx
          .insert(userStreaks)
          .values(chunk.map(({ userId, scope, day }) => ({ userId, scope, current: 1, longest: 1, lastDay: day })))
          .onConflictDoUpdate({
            target: [userStreaks.userId, userStreaks.scope],
            set: { current: NEXT_CURRENT, longest: sql`greatest(${userStreaks.longest}, ${NEXT_CURRENT})`, lastDay: sql`excluded.last_day` },
            setWhere: sql`excluded.last_day > ${userStreaks.lastDay}`,
          });
      }
    },

    /** Action counts by type key and longest streaks by scope, in one round trip. */
    async progress(userId: string): Promise<Array<{ kind: 'count' | 'streak'; scope: string; value: number }>> {
      const counts = db
        .select({ kind: sql<'count' | 'streak'>`'count'`, scope: userActionCounts.actionTypeKey, value: userActionCounts.count })
        .from(userActionCounts)
        .where(eq(userActionCounts.userId, userId));
      const streaks = db
        .select({ kind: sql<'count' | 'streak'>`'streak'`, scope: userStreaks.scope, value: userStreaks.longest })
        .from(userStreaks)
        .where(eq(userStreaks.userId, userId));
      return counts.unionAll(streaks);
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
