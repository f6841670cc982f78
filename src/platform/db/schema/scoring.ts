// Tables for scored actions and leaderboards. "Never scores twice" is the unique index on
// (user, type, identifier); each board row's score is changed by one upsert that applies the
// board's operator in SQL. Every hot query has an index here (plans in docs/scoring.md).
import { sql } from 'drizzle-orm';
import { bigint, boolean, check, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { users } from './accounts.js';
import { type BoardOperator, type BoardReset, type ActionRules, type StoredActionResult } from '../../../domain/scoring.js';

export const actionTypes = pgTable(
  'action_types',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    key: text('key').notNull(),
    name: text('name').notNull(),
    baseScore: integer('base_score').notNull(),
    active: boolean('active').notNull().default(true),
    rules: jsonb('rules').$type<ActionRules>().notNull().default({}),
    // Who may edit it (with admins). Null for types made before owners were recorded: admins only.
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('action_types_key_key').on(t.key), check('action_types_base_score_check', sql`${t.baseScore} >= 0`)],
);

export const actions = pgTable(
  'actions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    actionTypeId: uuid('action_type_id')
      .notNull()
      .references(() => actionTypes.id, { onDelete: 'cascade' }),
    identifier: text('identifier').notNull(),
    metadata: jsonb('metadata').$type<Record<string, unknown>>(),
    scoreEarned: bigint('score_earned', { mode: 'number' }).notNull(),
    result: jsonb('result').$type<StoredActionResult>().notNull(),
    // Set by the server's clock when the request arrived, not by now(), so a batch keeps each caller's time.
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    // The idempotency key of an action: a replay meets it and scores nothing.
    uniqueIndex('actions_user_type_identifier_key').on(t.userId, t.actionTypeId, t.identifier),
    // Cooldown (latest), maxPerUser (count) and maxPerDay (count since a day start) per user and type.
    index('actions_user_type_created_idx').on(t.userId, t.actionTypeId, t.createdAt),
    // "Actions today" on the home page.
    index('actions_created_idx').on(t.createdAt),
  ],
);

export const leaderboards = pgTable(
  'leaderboards',
  {
    name: text('name').primaryKey(),
    operator: text('operator').$type<BoardOperator>().notNull().default('incr'),
    reset: text('reset').$type<BoardReset>().notNull().default('never'),
    timeZone: text('time_zone').notNull().default('UTC'),
    // Local hour at which a periodic board rolls over (0 = midnight).
    resetHour: integer('reset_hour').notNull().default(0),
    // The organizer who created it. Null for boards the server or a game made (`global`,
    // `event:<id>`, `game:*`) and for boards older than owners: see ownership.ts for who may write them.
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check('leaderboards_operator_check', sql`${t.operator} in ('incr', 'best', 'set')`),
    check('leaderboards_reset_check', sql`${t.reset} in ('never', 'daily', 'weekly', 'monthly')`),
    check('leaderboards_reset_hour_check', sql`${t.resetHour} between 0 and 23`),
  ],
);

export const leaderboardScores = pgTable(
  'leaderboard_scores',
  {
    board: text('board')
      .notNull()
      .references(() => leaderboards.name, { onDelete: 'cascade' }),
    // 'all' for boards that never reset; otherwise 2026-11-22, 2026-W47 or 2026-11.
    period: text('period').notNull(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    score: bigint('score', { mode: 'number' }).notNull(),
    // Changes only when the score does: equal scores rank by who got there first.
    reachedAt: timestamp('reached_at', { withTimezone: true }).notNull(),
    // Counts the row's writes; it orders them for the rank index, which two instances may
    // reach out of commit order (an older write must not overwrite a newer one there).
    version: bigint('version', { mode: 'number' }).notNull().default(1),
  },
  (t) => [
    primaryKey({ columns: [t.board, t.period, t.userId] }),
    // The ranking order itself: top N, rank counts and rebuilds walk it.
    index('leaderboard_scores_rank_idx').on(t.board, t.period, t.score.desc(), t.reachedAt.asc(), t.userId.asc()),
    // "My scores" across boards.
    index('leaderboard_scores_user_idx').on(t.userId),
  ],
);

export const scoreboardSnapshots = pgTable(
  'scoreboard_snapshots',
  {
    board: text('board')
      .notNull()
      .references(() => leaderboards.name, { onDelete: 'cascade' }),
    period: text('period').notNull(),
    // The start of the snapshot interval: instances racing on one tick meet this key and one row wins.
    takenAt: timestamp('taken_at', { withTimezone: true }).notNull(),
    entries: jsonb('entries').$type<Array<{ rank: number; userId: string; handle: string; score: number }>>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.board, t.takenAt] })],
);
