// The registration hot path, one batch per event per transaction (group commit): lock the event
// row, insert every new entrant in arrival order with ON CONFLICT DO NOTHING, hand out spots,
// waitlist places or refusals, bump the counters once and append the audit entries. Two
// instances serialise on the event row lock, and the CHECK on the counters has the last word.
import { AppError } from '../../errors.js';
import { claimKeys } from '../../platform/idempotency/batch-keys.js';
import { EFFECT_IS_THE_ANSWER, type IdempotencyTicket, type StoredAnswer } from '../../platform/idempotency/port.js';
import type { RegistrationStatus } from '../../domain/events.js';
import { recordMoves } from './holds.js';
import { admissionRefusal, eventStatus, freeSpots, openDue, preQueueAccepting, spotGrant } from './rules.js';
import type { NewEntrant, RegistrationRow } from './store.js';
import { openEvent } from './transitions.js';
import type { Stores, Unit } from './unit.js';
import { toRegistrationView } from './views.js';

export interface RegisterRequest {
  eventId: string;
  userId: string;
  /** Who asked: the user, or the organizer/admin registering them. */
  actorId: string;
  /** Whether the user registered is a guest account, for the event's admission settings. */
  guest: boolean;
  /** The request's Idempotency-Key: claimed, and its answer stored, in this batch's transaction. */
  ticket?: IdempotencyTicket;
}

/** The answer stored under the request's Idempotency-Key, to send again. */
export interface KeyReplay {
  replay: StoredAnswer;
}

export interface RegisterOutcome {
  registration: RegistrationRow;
  created: boolean;
  /** A waitlisted registration's place in line, new or existing; null for any other status. */
  position: number | null;
  waitlistPromoted: number;
}

interface Plan {
  index: number;
  row: NewEntrant;
}

/** Decides the status a new entrant gets now, or the refusal. */
function decide(
  unit: Unit,
  eventId: string,
  available: { spots: number },
): { status: RegistrationStatus; grant?: ReturnType<typeof spotGrant> } | AppError {
  const event = unit.event(eventId);
  const status = eventStatus(event, unit.now);
  if (status === 'closed' || status === 'drawn') return new AppError('REGISTRATION_CLOSED');
  if (status === 'scheduled') {
    if (preQueueAccepting(event, unit.now)) return { status: 'entered' };
    const opensAt = event.preQueue && event.preQueueOpensAt ? event.preQueueOpensAt : event.opensAt;
    return new AppError('REGISTRATION_NOT_OPEN', undefined, { opensAt: opensAt?.toISOString() ?? null });
  }
  if (event.mode === 'lottery') return { status: 'entered' };
  if (available.spots > 0) {
    available.spots--;
    const grant = spotGrant(event, unit.now);
    return { status: grant.status, grant };
  }
  if (event.waitlist) return { status: 'waitlisted' };
  return new AppError('EVENT_FULL');
}

/**
 * 1-based waitlist positions of the batch's new waitlist entries: everyone already waiting
 * with at least their weight is ahead, and so is every batch entry with a higher weight or
 * the same weight and an earlier arrival.
 */
async function waitlistPositions(unit: Unit, stores: Stores, eventId: string, plans: Plan[]): Promise<Map<number, number>> {
  const waiting = plans.filter((plan) => plan.row.status === 'waitlisted');
  const positions = new Map<number, number>();
  if (waiting.length === 0) return positions;
  // Weights are >= 1, so for weight 1 every waiting entry is ahead: the counter says how many.
  const heavier = [...new Set(waiting.map((plan) => plan.row.priority).filter((weight) => weight > 1))];
  const existingAhead = await stores.registrations.waitlistedAtLeast(unit.tx, eventId, heavier);
  const waitlistedBefore = unit.event(eventId).waitlisted;
  for (const plan of waiting) {
    const { priority, seq } = plan.row;
    const inBatch = waiting.filter((other) => other.row.priority > priority || (other.row.priority === priority && other.row.seq < seq)).length;
    positions.set(plan.index, (priority > 1 ? existingAhead.get(priority)! : waitlistedBefore) + inBatch + 1);
  }
  return positions;
}

export async function registerBatch(
  unit: Unit,
  stores: Stores,
  eventId: string,
  requests: RegisterRequest[],
): Promise<Array<RegisterOutcome | KeyReplay | Error>> {
  if (!(await unit.lock(eventId))) return requests.map(() => new AppError('NOT_FOUND', 'No such event'));
  // Under the event's lock, so a key's earlier request for this event has committed or not begun.
  const keys = await claimKeys(
    unit.tx,
    requests.map((request) => request.ticket),
  );
  // The clock may have passed opensAt before any scheduler tick: open now, so pre-queue
  // entrants are shuffled ahead of this batch.
  if (openDue(unit.event(eventId), unit.now)) await openEvent(unit, stores, eventId, 'system');
  const event = unit.event(eventId);

  const userIds = [...new Set(requests.map((request) => request.userId))];
  const existing = new Map((await stores.registrations.findByUsers(unit.tx, eventId, userIds)).map((row) => [row.userId, row]));
  const newUserIds = userIds.filter((id) => !existing.has(id));
  const groups =
    Object.keys(event.priorityGroups).length > 0 ? await stores.events.prioritiesOf(unit.tx, eventId, newUserIds) : new Map<string, string>();

  const results: Array<RegisterOutcome | KeyReplay | Error | undefined> = new Array(requests.length);
  const plans: Plan[] = [];
  const planned = new Set<string>();
  const available = { spots: freeSpots(event) };
  let seq = event.arrivals;
  requests.forEach((request, index) => {
    const verdict = keys.verdicts[index];
    if (verdict?.kind === 'refused') results[index] = verdict.error;
    if (verdict?.kind === 'replay') results[index] = { replay: verdict.answer };
    if (results[index]) return;
    // Existing rows and duplicates inside the batch are answered after the insert.
    if (existing.has(request.userId) || planned.has(request.userId)) return;
    const decision = admissionRefusal(event.settings, { isGuest: request.guest }) ?? decide(unit, eventId, available);
    if (decision instanceof AppError) {
      results[index] = decision;
      return;
    }
    planned.add(request.userId);
    const group = groups.get(request.userId) ?? null;
    const weight = (group && Object.hasOwn(event.priorityGroups, group) && event.priorityGroups[group]) || 1;
    seq++;
    plans.push({
      index,
      row: {
        eventId,
        userId: request.userId,
        status: decision.status,
        seq,
        queuePos: seq,
        priority: weight,
        weight,
        priorityGroup: group,
        registeredBy: request.actorId === request.userId ? null : request.actorId,
        holdExpiresAt: decision.grant?.holdExpiresAt ?? null,
        paymentStatus: decision.grant?.paymentStatus ?? 'none',
      },
    });
  });

  const positions = await waitlistPositions(unit, stores, eventId, plans);
  const inserted = new Map(
    (
      await stores.registrations.insertMany(
        unit.tx,
        plans.map((plan) => plan.row),
      )
    ).map((row) => [row.userId, row]),
  );
  unit.bump(eventId, 'arrivals', seq - event.arrivals);
  const moves = [];
  for (const plan of plans) {
    const row = inserted.get(plan.row.userId);
    if (!row) continue;
    const position = positions.get(plan.index) ?? null;
    moves.push({
      before: null,
      after: row,
      detail: { seq: row.seq, by: row.registeredBy ?? row.userId, ...(position === null ? {} : { position }) },
    });
    results[plan.index] = { registration: row, created: true, position, waitlistPromoted: 0 };
  }
  // One audit entry for the whole batch; each change names who asked for it.
  const actors = new Set(moves.map((move) => move.detail.by));
  recordMoves(unit, actors.size === 1 ? [...actors][0]! : 'batch', eventId, moves, 'registered');

  // Everyone else already had a row (from before, or from earlier in this batch).
  const missing = requests.filter((request, index) => results[index] === undefined && !existing.has(request.userId) && !inserted.has(request.userId));
  if (missing.length > 0) {
    // Only reachable if a row appeared without this lock (it cannot today): answer with it.
    for (const row of await stores.registrations.findByUsers(
      unit.tx,
      eventId,
      missing.map((request) => request.userId),
    ))
      existing.set(row.userId, row);
  }
  // Asking again while waitlisted answers the place in line as it is now: one statement for the batch's repeats.
  const repeatedWaiting = [...existing.values()].filter((row) => row.status === 'waitlisted').map((row) => row.id);
  const places = await stores.registrations.positionsOf(unit.tx, repeatedWaiting);
  for (const plan of plans) {
    const row = inserted.get(plan.row.userId);
    const position = positions.get(plan.index);
    // A twin inside this batch waits where the first of the two was placed.
    if (row && position !== undefined) places.set(row.id, position);
  }
  const promoted = unit.event(eventId).waitlistPromoted;
  const answers = requests.map((request, index): RegisterOutcome | KeyReplay | Error => {
    const result = results[index];
    if (result instanceof Error || (result && 'replay' in result)) return result;
    if (result) return { ...result, waitlistPromoted: promoted };
    const row = existing.get(request.userId) ?? inserted.get(request.userId);
    if (!row) return new AppError('INTERNAL', 'The registration could not be stored');
    return { registration: row, created: false, position: places.get(row.id) ?? null, waitlistPromoted: promoted };
  });
  await keys.record(
    unit.tx,
    answers.map((answer, index) => {
      const ticket = requests[index]!.ticket;
      if (!ticket || 'replay' in answer || (answer instanceof Error && !(answer instanceof AppError))) return undefined;
      if (answer instanceof AppError) return ticket.render(answer);
      // An existing registration is answered as it stands whenever it is asked for.
      if (!answer.created) return EFFECT_IS_THE_ANSWER;
      const registration = toRegistrationView(answer.registration, unit.event(eventId), answer);
      return ticket.render({ status: 201, payload: { registration } });
    }),
  );
  return answers;
}
