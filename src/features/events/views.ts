// What clients see of events and registrations. Pure: no I/O.
import { DEFAULT_EVENT_SETTINGS, type EventMode, type EventSettings, type PaymentStatus, type RegistrationStatus } from '../../domain/events.js';
import { eventStatus, freeSpots, type EventStatus } from './rules.js';
import type { EventRow, RegistrationRow } from './store.js';

export interface EventCounts {
  capacity: number;
  confirmed: number;
  held: number;
  available: number;
  waitlisted: number;
  entered: number;
  /** Head counter: waitlist entries promoted so far. A waitlisted client subtracts its growth from its position. */
  waitlistPromoted: number;
}

export function countsOf(event: EventRow): EventCounts {
  return {
    capacity: event.capacity,
    confirmed: event.confirmed,
    held: event.held,
    available: freeSpots(event),
    waitlisted: event.waitlisted,
    entered: event.entered,
    waitlistPromoted: event.waitlistPromoted,
  };
}

export interface EventView {
  id: string;
  slug: string;
  title: string;
  capacity: number;
  mode: EventMode;
  status: EventStatus;
  opensAt: string | null;
  closesAt: string | null;
  holdSeconds: number;
  priceCents: number;
  currency: string;
  waitlist: boolean;
  preQueue: boolean;
  preQueueOpensAt: string | null;
  priorityGroups: Record<string, number>;
  settings: EventSettings;
  createdBy: string;
  lotteryCommitment: string | null;
  preQueueCommitment: string | null;
  counts: EventCounts;
  createdAt: string;
  updatedAt: string;
}

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export function toEventView(event: EventRow, now: Date): EventView {
  return {
    id: event.id,
    slug: event.slug,
    title: event.title,
    capacity: event.capacity,
    mode: event.mode,
    status: eventStatus(event, now),
    opensAt: iso(event.opensAt),
    closesAt: iso(event.closesAt),
    holdSeconds: event.holdSeconds,
    priceCents: event.priceCents,
    currency: event.currency,
    waitlist: event.waitlist,
    preQueue: event.preQueue,
    preQueueOpensAt: iso(event.preQueueOpensAt),
    priorityGroups: event.priorityGroups,
    settings: { ...DEFAULT_EVENT_SETTINGS, ...event.settings },
    createdBy: event.createdBy,
    lotteryCommitment: event.lotteryCommitment,
    preQueueCommitment: event.preQueueCommitment,
    counts: countsOf(event),
    createdAt: event.createdAt.toISOString(),
    updatedAt: event.updatedAt.toISOString(),
  };
}

export interface RegistrationView {
  id: string;
  eventId: string;
  userId: string;
  status: RegistrationStatus;
  statusReason: string | null;
  /** 1-based waitlist position, for waitlisted registrations only. */
  position: number | null;
  /** The event's head counter when the position was read: later growth moves the position up. */
  waitlistPromoted: number | null;
  seq: number;
  priorityGroup: string | null;
  drawRank: number | null;
  holdExpiresAt: string | null;
  registeredBy: string | null;
  paymentStatus: PaymentStatus;
  paymentProvider: string | null;
  amountCents: number | null;
  paidAt: string | null;
  event: { title: string; slug: string; priceCents: number; currency: string };
  createdAt: string;
  updatedAt: string;
}

export function toRegistrationView(
  row: RegistrationRow,
  event: Pick<EventRow, 'title' | 'slug' | 'priceCents' | 'currency'>,
  live: { position: number | null; waitlistPromoted: number | null } = { position: null, waitlistPromoted: null },
): RegistrationView {
  const waitlisted = row.status === 'waitlisted';
  return {
    id: row.id,
    eventId: row.eventId,
    userId: row.userId,
    status: row.status,
    statusReason: row.statusReason,
    position: waitlisted ? live.position : null,
    waitlistPromoted: waitlisted ? live.waitlistPromoted : null,
    seq: row.seq,
    priorityGroup: row.priorityGroup,
    drawRank: row.drawRank,
    holdExpiresAt: iso(row.holdExpiresAt),
    registeredBy: row.registeredBy,
    paymentStatus: row.paymentStatus,
    paymentProvider: row.paymentProvider,
    amountCents: row.amountCents,
    paidAt: iso(row.paidAt),
    event: { title: event.title, slug: event.slug, priceCents: event.priceCents, currency: event.currency },
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
