// Tables for achievements and streaks. "Awarded once ever" is the primary key of
// user_achievements; counts and streaks are per-user aggregates kept up to date in the same
// transaction as the actions that change them.
import { sql } from 'drizzle-orm';
import { check, date, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from './accounts.js';
import { type AchievementCondition } from '../../../domain/achievements.js';

export const achievements = pgTable('achievements', {
  id: uuid('id').primaryKey().defaultRandom(),
  key: text('key').notNull().unique('achievements_key_key'),
  name: text('name').notNull(),
  description: text('description').notNull(),
  condition: jsonb('condition').$type<AchievementCondition>().notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export const userAchievements = pgTable(
  'user_achievements',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    achievementId: uuid('achievement_id')
      .notNull()
      .references(() => achievements.id, { onDelete: 'cascade' }),
    awardedAt: timestamp('awarded_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.achievementId] })],
);

// The action type's key is kept beside its id because conditions name types by key.
export const userActionCounts = pgTable(
  'user_action_counts',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    actionTypeId: uuid('action_type_id').notNull(),
    actionTypeKey: text('action_type_key').notNull(),
    count: integer('count').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.actionTypeId] }), check('user_action_counts_positive', sql`${t.count} > 0`)],
);

/** The streak scope covering every action type; '*' cannot collide with an action type key. Other scopes are keys. */

export const userStreaks = pgTable(
  'user_streaks',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    scope: text('scope').notNull(),
    current: integer('current').notNull(),
    longest: integer('longest').notNull(),
    // The user's local calendar day of the last counted action.
    lastDay: date('last_day', { mode: 'string' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.scope] }), check('user_streaks_sane', sql`${t.current} >= 1 and ${t.longest} >= ${t.current}`)],
);

/** Distinct subjects per user per activity kind ("ranked 3 categories"); kept when the activity log itself expires. */
export const userActivitySubjects = pgTable(
  'user_activity_subjects',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    subject: text('subject').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.kind, t.subject] })],
);
