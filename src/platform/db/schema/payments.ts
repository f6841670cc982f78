// Tables for payments: checkout sessions, received webhook events, and the money ledger.
// The payment state of a registration lives on `registrations` (events' schema); these tables
// record what the provider was asked and told, with unique keys so that retries and duplicate
// deliveries can never charge or refund twice.
import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { registrations } from './events.js';
import { type CheckoutStatus, type LedgerKind } from '../../../domain/payments.js';

const timestamptz = (name: string) => timestamp(name, { withTimezone: true });

/** One provider checkout session per row; at most one open session per registration. */
export const paymentCheckouts = pgTable(
  'payment_checkouts',
  {
    sessionId: text('session_id').primaryKey(),
    registrationId: uuid('registration_id')
      .notNull()
      .references(() => registrations.id, { onDelete: 'cascade' }),
    provider: text('provider').notNull(),
    url: text('url').notNull(),
    amountCents: integer('amount_cents').notNull(),
    currency: text('currency').notNull(),
    expiresAt: timestamptz('expires_at').notNull(),
    status: text('status').$type<CheckoutStatus>().notNull().default('open'),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    updatedAt: timestamptz('updated_at').notNull().defaultNow(),
  },
  (t) => [
    // Two concurrent checkout requests cannot both leave a payable session behind.
    uniqueIndex('payment_checkouts_one_open_key')
      .on(t.registrationId)
      .where(sql`${t.status} = 'open'`),
    index('payment_checkouts_registration_idx').on(t.registrationId),
    check('payment_checkouts_status_check', sql`${t.status} in ('open', 'completed', 'expired')`),
  ],
);

/**
 * Webhook deliveries by provider event id: a redelivery finds its row and is not processed
 * again. The payload is kept until processed, so the sweep can re-enqueue an event whose job
 * was lost (the in-memory queue does not survive a restart).
 */
export const paymentWebhookEvents = pgTable(
  'payment_webhook_events',
  {
    provider: text('provider').notNull(),
    eventId: text('event_id').notNull(),
    type: text('type').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    receivedAt: timestamptz('received_at').notNull().defaultNow(),
    processedAt: timestamptz('processed_at'),
  },
  (t) => [
    primaryKey({ columns: [t.provider, t.eventId] }),
    index('payment_webhook_events_unprocessed_idx')
      .on(t.receivedAt)
      .where(sql`${t.processedAt} is null`),
  ],
);

/**
 * Money that moved, as the provider reported it: charges received and refunds issued. A
 * registration keeps at most one charge (the one its settlement attached while it is paid);
 * every other charge is refunded, once: the refund row names its charge, uniquely.
 */
export const paymentLedger = pgTable(
  'payment_ledger',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    registrationId: uuid('registration_id')
      .notNull()
      .references(() => registrations.id, { onDelete: 'cascade' }),
    kind: text('kind').$type<LedgerKind>().notNull(),
    provider: text('provider').notNull(),
    /** The provider's id: the payment intent (or manual reference) for a charge, the refund id for a refund. */
    externalId: text('external_id').notNull(),
    amountCents: integer('amount_cents').notNull(),
    currency: text('currency').notNull(),
    /** Charges: when the events service settled it; null while settlement is still to run. */
    settledAt: timestamptz('settled_at'),
    /** Charges: the settlement made this the registration's payment (confirmed it). */
    attached: boolean('attached').notNull().default(false),
    /** Refunds: the ledger id of the charge paid back. */
    refundOf: uuid('refund_of'),
    /** Refunds: sent to the provider with the request, so the provider dedupes retries too. */
    idempotencyKey: text('idempotency_key'),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('payment_ledger_external_key').on(t.provider, t.kind, t.externalId),
    // A charge is refunded at most once, whatever retries or restarts happen.
    uniqueIndex('payment_ledger_one_refund_per_charge_key')
      .on(t.refundOf)
      .where(sql`${t.kind} = 'refund'`),
    index('payment_ledger_registration_idx').on(t.registrationId),
    check('payment_ledger_kind_check', sql`${t.kind} in ('charge', 'refund')`),
    check('payment_ledger_amount_non_negative', sql`${t.amountCents} >= 0`),
    check('payment_ledger_refund_names_charge', sql`(${t.kind} = 'refund') = (${t.refundOf} is not null)`),
  ],
);
