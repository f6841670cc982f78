// Tables for polls ("rank these"). Each user has one current ranking per poll (the primary
// key); results are aggregates kept in the same transaction as the rankings that change them,
// so reading them never scans the rankings.
import { sql } from 'drizzle-orm';
import { bigint, check, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from './accounts.js';
import { type PollItem } from '../../../domain/polls.js';

export const polls = pgTable(
  'polls',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    title: text('title').notNull(),
    // In the organizer's order; keys are unique within the poll.
    items: jsonb('items').$type<PollItem[]>().notNull(),
    voters: integer('voters').notNull().default(0),
    // Grows with every ranking, so live pushes carry an order clients can trust across instances.
    version: bigint('version', { mode: 'number' }).notNull().default(0),
    createdBy: uuid('created_by')
      .notNull()
      .references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check('polls_voters_non_negative', sql`${t.voters} >= 0`)],
);

export const pollRankings = pgTable(
  'poll_rankings',
  {
    pollId: uuid('poll_id')
      .notNull()
      .references(() => polls.id, { onDelete: 'cascade' }),
    // No cascade: deleting a ranking must go through the totals.
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    // Item keys, best first; always a permutation of the poll's items.
    order: jsonb('order').$type<string[]>().notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.pollId, t.userId] })],
);

// Per item: the sum of its 1-based positions over current rankings. With n items and v voters,
// Borda = v * n - positionSum and the average position = positionSum / v.
export const pollItemTotals = pgTable(
  'poll_item_totals',
  {
    pollId: uuid('poll_id')
      .notNull()
      .references(() => polls.id, { onDelete: 'cascade' }),
    itemKey: text('item_key').notNull(),
    positionSum: bigint('position_sum', { mode: 'number' }).notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.pollId, t.itemKey] }), check('poll_item_totals_non_negative', sql`${t.positionSum} >= 0`)],
);
