// Spots: granting them, expiring unpaid holds, cancelling, and promoting the waitlist head into
// whatever was freed, all inside the caller's unit (so inside the transaction that freed it).
import type { RegistrationStatus } from '../../domain/events.js';
import { freeSpots, spotGrant } from './rules.js';
import type { RegistrationRow, RegistrationUpdate } from './store.js';
import type { Stores, Unit } from './unit.js';

/** Holds expired per event per sweep; the next tick takes the rest. */
const EXPIRY_BATCH = 500;

export interface Move {
  before: RegistrationRow | null;
  after: RegistrationRow;
  /** Per-registration facts for the audit entry (seq, position...). */
  detail?: Record<string, unknown>;
}

/**
 * Records registrations' changes of status: the counters follow each one, listeners hear of
 * each one, and the audit log gets one entry for them all: {reason, registrationId, userId,
 * from, to, ...} for a single change, {reason, changes: [...]} for several (one entry per batch
 * keeps the hash chain cheap on the hot path while every change stays in it).
 */
export function recordMoves(unit: Unit, actor: string, eventId: string, moves: Move[], reason: string, extra: Record<string, unknown> = {}): void {
  if (moves.length === 0) return;
  const changes = moves.map(({ before, after, detail }) => {
    unit.move(eventId, before?.status ?? null, after.status);
    unit.changed(after, before);
    return {
      registrationId: after.id,
      userId: after.userId,
      from: before?.status ?? null,
      to: after.status,
      ...(before && before.paymentStatus !== after.paymentStatus ? { paymentStatus: after.paymentStatus } : {}),
      ...detail,
    };
  });
  // A single change is the entry itself; a batch lists its changes.
  unit.audit(eventId, actor, 'registration', changes.length === 1 ? { reason, ...extra, ...changes[0] } : { reason, ...extra, changes });
}

/** Applies one update to many rows and records the moves, in the order given. */
export async function moveMany(
  unit: Unit,
  stores: Stores,
  actor: string,
  eventId: string,
  rows: RegistrationRow[],
  set: RegistrationUpdate,
  reason: string,
): Promise<RegistrationRow[]> {
  const updated = new Map(
    (
      await stores.registrations.updateMany(
        unit.tx,
        rows.map((row) => row.id),
        set,
      )
    ).map((row) => [row.id, row]),
  );
  const moves = rows.map((before) => ({ before, after: updated.get(before.id)! }));
  recordMoves(unit, actor, eventId, moves, reason);
  return moves.map((move) => move.after);
}

/** Gives free spots to the waitlist head, in waitlist order, and advances the head counter. */
export async function fillFromWaitlist(unit: Unit, stores: Stores, eventId: string, actor: string): Promise<number> {
  const event = unit.event(eventId);
  const count = Math.min(freeSpots(event), event.waitlisted);
  if (count <= 0) return 0;
  const head = await stores.registrations.waitlistHead(unit.tx, eventId, count);
  await moveMany(unit, stores, actor, eventId, head, spotGrant(event, unit.now), 'promoted');
  unit.bump(eventId, 'waitlistPromoted', head.length);
  return head.length;
}

/** Expires this event's unpaid holds that are past due; the freed spots go to the waitlist. */
export async function expireHolds(unit: Unit, stores: Stores, eventId: string, actor: string): Promise<number> {
  const due = await stores.registrations.expiredHolds(unit.tx, eventId, unit.now, EXPIRY_BATCH);
  if (due.length === 0) return 0;
  await moveMany(
    unit,
    stores,
    actor,
    eventId,
    due,
    { status: 'expired', statusReason: 'hold_expired', holdExpiresAt: null, paymentStatus: 'none' },
    'hold_expired',
  );
  await fillFromWaitlist(unit, stores, eventId, actor);
  return due.length;
}

const TERMINAL: RegistrationStatus[] = ['expired', 'cancelled'];

/**
 * Cancels a live registration. A paid one becomes refund_pending in the same transaction, so
 * the refund cannot be forgotten; a spot it held goes to the waitlist head.
 */
export async function cancelRegistration(unit: Unit, stores: Stores, registration: RegistrationRow, actor: string): Promise<RegistrationRow> {
  if (TERMINAL.includes(registration.status)) return registration;
  const paymentStatus =
    registration.paymentStatus === 'paid' ? 'refund_pending' : registration.paymentStatus === 'pending' ? 'none' : registration.paymentStatus;
  const after = await stores.registrations.update(unit.tx, registration.id, {
    status: 'cancelled',
    statusReason: 'cancelled',
    holdExpiresAt: null,
    paymentStatus,
  });
  recordMoves(unit, actor, registration.eventId, [{ before: registration, after }], 'cancelled');
  if (registration.status === 'held' || registration.status === 'confirmed') await fillFromWaitlist(unit, stores, registration.eventId, actor);
  return after;
}
