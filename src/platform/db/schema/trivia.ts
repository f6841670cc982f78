// Tables for live trivia. A game copies its quiz's questions when it is created, so editing the
// quiz never changes a running game. The game row is the state machine (status, current
// question, its window); one answer per player per question is the primary key of game_answers.
import { sql } from 'drizzle-orm';
import { bigint, boolean, check, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { users } from './accounts.js';
import type { AnswerChoice, GameMode, GameSettings, GameStatus, Question } from '../../../domain/trivia.js';

export const quizzes = pgTable(
  'quizzes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    title: text('title').notNull(),
    questions: jsonb('questions').$type<Question[]>().notNull(),
    ownerId: uuid('owner_id')
      .notNull()
      .references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('quizzes_owner_idx').on(t.ownerId, t.createdAt)],
);

export const games = pgTable(
  'games',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    // Unique among games that have not ended, so a pin can be reused once its game is over.
    pin: text('pin').notNull(),
    quizId: uuid('quiz_id').references(() => quizzes.id, { onDelete: 'set null' }),
    title: text('title').notNull(),
    questions: jsonb('questions').$type<Question[]>().notNull(),
    mode: text('mode').$type<GameMode>().notNull(),
    settings: jsonb('settings').$type<GameSettings>().notNull(),
    status: text('status').$type<GameStatus>().notNull().default('lobby'),
    // While paused: the status to resume into.
    pausedFrom: text('paused_from').$type<GameStatus>(),
    pausedAt: timestamp('paused_at', { withTimezone: true, precision: 3 }),
    // Index of the current question; -1 in the lobby.
    seq: integer('seq').notNull().default(-1),
    opensAt: timestamp('opens_at', { withTimezone: true, precision: 3 }),
    closesAt: timestamp('closes_at', { withTimezone: true, precision: 3 }),
    // When the schedule must act next (results after a close, the next question with
    // autoAdvance); null when only the host can move the game.
    dueAt: timestamp('due_at', { withTimezone: true, precision: 3 }),
    players: integer('players').notNull().default(0),
    hostId: uuid('host_id')
      .notNull()
      .references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('games_live_pin_key')
      .on(t.pin)
      .where(sql`${t.status} <> 'ended'`),
    index('games_due_idx')
      .on(t.dueAt)
      .where(sql`${t.dueAt} is not null`),
    check('games_status_check', sql`${t.status} in ('lobby', 'question', 'results', 'paused', 'ended')`),
    check('games_mode_check', sql`${t.mode} in ('live', 'async')`),
    check('games_pin_check', sql`${t.pin} ~ '^[0-9]{6}$'`),
    check('games_players_check', sql`${t.players} >= 0`),
  ],
);

export const gamePlayers = pgTable(
  'game_players',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    gameId: uuid('game_id')
      .notNull()
      .references(() => games.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    nickname: text('nickname').notNull(),
    score: bigint('score', { mode: 'number' }).notNull().default(0),
    // Epoch ms when the player reached this score: breaks ties (earlier first), as boards do.
    scoreReachedAt: bigint('score_reached_at', { mode: 'number' }).notNull().default(0),
    // Consecutive right answers up to the last closed question.
    streak: integer('streak').notNull().default(0),
    // Async mode: the question this player is on, and when it was sent to them.
    asyncSeq: integer('async_seq').notNull().default(-1),
    asyncSentAt: timestamp('async_sent_at', { withTimezone: true, precision: 3 }),
    joinedAt: timestamp('joined_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('game_players_user_key').on(t.gameId, t.userId),
    uniqueIndex('game_players_nickname_key').on(t.gameId, sql`lower(${t.nickname})`),
    index('game_players_rank_idx').on(t.gameId, t.score.desc(), t.scoreReachedAt, t.id),
  ],
);

export const gameAnswers = pgTable(
  'game_answers',
  {
    gameId: uuid('game_id')
      .notNull()
      .references(() => games.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    playerId: uuid('player_id')
      .notNull()
      .references(() => gamePlayers.id, { onDelete: 'cascade' }),
    choice: jsonb('choice').$type<AnswerChoice>().notNull(),
    // Server receipt time, epoch ms: what the window and the score are measured on.
    receivedAt: bigint('received_at', { mode: 'number' }).notNull(),
    correct: boolean('correct').notNull(),
    // Scored at receipt (the streak bonus included); added to the player's score at results.
    points: integer('points').notNull(),
  },
  (t) => [primaryKey({ columns: [t.gameId, t.seq, t.playerId] }), check('game_answers_points_check', sql`${t.points} >= 0`)],
);
