// Messaging: WhatsApp conversations (the 24-hour service window), inbound deliveries
// deduplicated by message id, delivery statuses per message, and one-time email sign-in links.
import { sql } from 'drizzle-orm';
import { check, index, integer, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from './accounts.js';

// The last message each WhatsApp user sent us: free-form replies are allowed for 24 h after it.
export const whatsappContacts = pgTable('whatsapp_contacts', {
  waId: text('wa_id').primaryKey(),
  lastInboundAt: timestamp('last_inbound_at', { withTimezone: true }).notNull(),
});

// WhatsApp retries a delivery for days and out of order: the message id is the dedup key.
// The job handling it claims it (claimed_by); processed_at stays null until the handlers ran,
// so that job's retry, or any job once the claim is stale, can finish it after a failure.
export const whatsappInbound = pgTable('whatsapp_inbound', {
  messageId: text('message_id').primaryKey(),
  waId: text('wa_id').notNull(),
  receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
  claimedBy: text('claimed_by').notNull(),
  claimedAt: timestamp('claimed_at', { withTimezone: true }).notNull().defaultNow(),
  processedAt: timestamp('processed_at', { withTimezone: true }),
});

export const WHATSAPP_STATUSES = ['sent', 'delivered', 'read', 'failed'] as const;
export type WhatsAppStatus = (typeof WHATSAPP_STATUSES)[number];

// Each status of an outbound message, once (webhooks repeat and arrive out of order).
export const whatsappStatuses = pgTable(
  'whatsapp_statuses',
  {
    messageId: text('message_id').notNull(),
    status: text('status').$type<WhatsAppStatus>().notNull(),
    recipient: text('recipient').notNull(),
    errorCode: integer('error_code'),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.messageId, t.status] }),
    check('whatsapp_statuses_status_check', sql`${t.status} in ('sent', 'delivered', 'read', 'failed')`),
  ],
);

// One-time sign-in links: only the SHA-256 of the token is kept, so a database leak signs no one in.
export const emailLinkTokens = pgTable(
  'email_link_tokens',
  {
    tokenHash: text('token_hash').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
  },
  (t) => [index('email_link_tokens_expires_at_idx').on(t.expiresAt)],
);
