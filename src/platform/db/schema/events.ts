// Events and registrations. The no-oversell rule lives here: each event carries its own
// counters, updated in the same transaction as the registration rows, and a CHECK refuses any
// state where confirmed + held exceeds the capacity.
import { sql } from 'drizzle-orm';
import { bigint, boolean, check, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { users } from './accounts.js';
import {
  DEFAULT_EVENT_SETTINGS,
  type EventMode,
  type EventSettings,
  type EventState,
  type RegistrationStatus,
  type PaymentStatus,
} from '../../../domain/events.js';

const timestamptz = (name: string) => timestamp(name, { withTimezone: true });
const counter = (name: string) => integer(name).notNull().default(0);

export const events = pgTable(
  'events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    slug: text('slug').notNull(),
    title: text('title').notNull(),
    capacity: integer('capacity').notNull(),
    mode: text('mode').$type<EventMode>().notNull(),
    opensAt: timestamptz('opens_at'),
    closesAt: timestamptz('closes_at'),
    holdSeconds: integer('hold_seconds').notNull().default(600),
    priceCents: integer('price_cents').notNull().default(0),
    currency: text('currency').notNull().default('EUR'),
    waitlist: boolean('waitlist').notNull().default(true),
    preQueue: boolean('pre_queue').notNull().default(false),
    preQueueOpensAt: timestamptz('pre_queue_opens_at'),
    /** Group name -> weight (>= 1): waitlist order for FCFS, draw weight for lotteries. */
    priorityGroups: jsonb('priority_groups').$type<Record<string, number>>().notNull().default({}),
    // Who may register besides signed-in users: guests, accounts without a verified email.
    settings: jsonb('settings').$type<EventSettings>().notNull().default(DEFAULT_EVENT_SETTINGS),
    createdBy: uuid('created_by')
      .notNull()
      .references(() => users.id),
    state: text('state').$type<EventState>().notNull().default('pending'),
    // Commit-reveal: the commitment is public from creation, the seed only once it has been used.
    lotterySeed: text('lottery_seed'),
    lotteryCommitment: text('lottery_commitment'),
    preQueueSeed: text('pre_queue_seed'),
    preQueueCommitment: text('pre_queue_commitment'),
    // Counters, kept equal to the registration rows by the transactions that change those rows.
    confirmed: counter('confirmed'),
    held: counter('held'),
    waitlisted: counter('waitlisted'),
    entered: counter('entered'),
    /** Arrival counter: the next registration's seq. */
    arrivals: bigint('arrivals', { mode: 'number' }).notNull().default(0),
    /** Waitlist entries promoted so far: clients subtract its growth from the position they read. */
    waitlistPromoted: bigint('waitlist_promoted', { mode: 'number' }).notNull().default(0),
    // Head of this event's audit hash chain, advanced under the event row lock.
    auditSeq: integer('audit_seq').notNull().default(0),
    auditHead: text('audit_head').notNull().default('0'.repeat(64)),
    openedAt: timestamptz('opened_at'),
    closedAt: timestamptz('closed_at'),
    drawnAt: timestamptz('drawn_at'),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    updatedAt: timestamptz('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('events_slug_key').on(t.slug),
    check('events_mode_check', sql`${t.mode} in ('fcfs', 'lottery')`),
    check('events_state_check', sql`${t.state} in ('pending', 'open', 'closed', 'drawn')`),
    check('events_capacity_positive', sql`${t.capacity} >= 1`),
    check('events_hold_seconds_positive', sql`${t.holdSeconds} >= 1`),
    check('events_price_non_negative', sql`${t.priceCents} >= 0`),
    check('events_counters_non_negative', sql`${t.confirmed} >= 0 and ${t.held} >= 0 and ${t.waitlisted} >= 0 and ${t.entered} >= 0`),
    // The invariant of the whole feature: never more spots taken than exist.
    check('events_not_oversold', sql`${t.confirmed} + ${t.held} <= ${t.capacity}`),
  ],
);

export const registrations = pgTable(
  'registrations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    eventId: uuid('event_id')
      .notNull()
      .references(() => events.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    status: text('status').$type<RegistrationStatus>().notNull(),
    /** Why a terminal status was reached: cancelled, not_selected, hold_expired... */
    statusReason: text('status_reason'),
    /** Server arrival order within the event. */
    seq: bigint('seq', { mode: 'number' }).notNull(),
    /**
     * Place in the service queue: seq for FCFS, the shuffled place for pre-queue entrants, the
     * draw rank after a lottery. Waitlist order is (priority desc, queue_pos).
     */
    queuePos: bigint('queue_pos', { mode: 'number' }).notNull(),
    priority: integer('priority').notNull().default(1),
    /** The priority group's weight at registration; the lottery draws with it. */
    weight: integer('weight').notNull().default(1),
    priorityGroup: text('priority_group'),
    drawRank: integer('draw_rank'),
    holdExpiresAt: timestamptz('hold_expires_at'),
    /** Set when an organizer or admin registered this user. */
    registeredBy: uuid('registered_by').references(() => users.id),
    paymentStatus: text('payment_status').$type<PaymentStatus>().notNull().default('none'),
    paymentProvider: text('payment_provider'),
    paymentRef: text('payment_ref'),
    amountCents: integer('amount_cents'),
    paidAt: timestamptz('paid_at'),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    updatedAt: timestamptz('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('registrations_event_user_key').on(t.eventId, t.userId),
    uniqueIndex('registrations_event_seq_key').on(t.eventId, t.seq),
    index('registrations_event_status_idx').on(t.eventId, t.status, t.seq),
    index('registrations_waitlist_idx')
      .on(t.eventId, t.priority.desc(), t.queuePos)
      .where(sql`${t.status} = 'waitlisted'`),
    index('registrations_hold_expiry_idx')
      .on(t.holdExpiresAt)
      .where(sql`${t.status} = 'held'`),
    index('registrations_refund_pending_idx')
      .on(t.updatedAt)
      .where(sql`${t.paymentStatus} = 'refund_pending'`),
    // One payment settles one registration. Partial: the rush inserts rows without payments,
    // and an index entry per unpaid row would only slow those inserts down.
    uniqueIndex('registrations_payment_ref_key')
      .on(t.paymentProvider, t.paymentRef)
      .where(sql`${t.paymentRef} is not null`),
    check('registrations_status_check', sql`${t.status} in ('entered', 'held', 'confirmed', 'waitlisted', 'expired', 'cancelled')`),
    check('registrations_payment_status_check', sql`${t.paymentStatus} in ('none', 'pending', 'paid', 'refund_pending', 'refunded')`),
    check('registrations_hold_has_expiry', sql`${t.status} <> 'held' or ${t.holdExpiresAt} is not null`),
    check('registrations_weight_positive', sql`${t.weight} >= 1`),
  ],
);

export const eventPriorities = pgTable(
  'event_priorities',
  {
    eventId: uuid('event_id')
      .notNull()
      .references(() => events.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    group: text('group').notNull(),
    setBy: uuid('set_by').references(() => users.id),
    setAt: timestamptz('set_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.eventId, t.userId] })],
);

/** Published draws and pre-queue shuffles (the LotteryProof shape), kept apart from the hot event row. */
export const eventProofs = pgTable(
  'event_proofs',
  {
    eventId: uuid('event_id')
      .notNull()
      .references(() => events.id, { onDelete: 'cascade' }),
    kind: text('kind').$type<'lottery' | 'pre-queue'>().notNull(),
    proof: jsonb('proof').notNull(),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.eventId, t.kind] }), check('event_proofs_kind_check', sql`${t.kind} in ('lottery', 'pre-queue')`)],
);

/** Per-event hash chain: hash = sha256(prev_hash + canonical JSON of the entry). */
export const auditLog = pgTable(
  'audit_log',
  {
    eventId: uuid('event_id')
      .notNull()
      .references(() => events.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    at: timestamptz('at').notNull(),
    actor: text('actor').notNull(),
    type: text('type').notNull(),
    data: jsonb('data').$type<Record<string, unknown>>().notNull(),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [primaryKey({ columns: [t.eventId, t.seq] })],
);
