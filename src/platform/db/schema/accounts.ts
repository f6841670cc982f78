// Accounts and cross-cutting HTTP state. Invariants live here as constraints (unique
// indexes, CHECKs), so that no code path can break them.
import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { type Role } from '../../../domain/accounts.js';

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    handle: text('handle').notNull(),
    // Stored lower-cased; null for guests.
    email: text('email'),
    passwordHash: text('password_hash'),
    role: text('role').$type<Role>().notNull().default('player'),
    isGuest: boolean('is_guest').notNull().default(false),
    // The user's UTC offset: where their day starts, for streaks and per-day limits.
    utcOffsetMinutes: integer('utc_offset_minutes').notNull().default(0),
    // Every token carries the version it was issued under; bumping it (a password reset, "log
    // out everywhere") revokes them all at once.
    sessionVersion: integer('session_version').notNull().default(0),
    // Notifications the user turned off, by kind (absent means on).
    notificationsOff: jsonb('notifications_off').$type<string[]>().notNull().default([]),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('users_handle_lower_key').on(sql`lower(${t.handle})`),
    uniqueIndex('users_email_key').on(t.email),
    check('users_role_check', sql`${t.role} in ('player', 'organizer', 'admin')`),
    check('users_guest_or_credentials', sql`${t.isGuest} or (${t.email} is not null and ${t.passwordHash} is not null)`),
    // Real offsets run from UTC-12:00 to UTC+14:00.
    check('users_utc_offset_check', sql`${t.utcOffsetMinutes} between -720 and 840`),
  ],
);

// Tokens logged out before they expire, by their jti; a row can go once its token has expired.
export const revokedTokens = pgTable(
  'revoked_tokens',
  {
    jti: text('jti').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('revoked_tokens_user_idx').on(t.userId, t.expiresAt)],
);

// One row per (scope, key): the stored outcome of a POST sent with an Idempotency-Key.
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    scope: text('scope').notNull(),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    // Null while the first request is still in flight.
    responseStatus: integer('response_status'),
    responseBody: text('response_body'),
    responseContentType: text('response_content_type'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.key] }), index('idempotency_keys_expires_at_idx').on(t.expiresAt)],
);
