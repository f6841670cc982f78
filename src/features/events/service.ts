// The events feature: organizer management, the registration hot path (micro-batched), the
// durable scheduler (holds, opening, closing, draws) and the hooks other features use. Each
// write is one unit of work (unit.ts); what it changed is published after the commit.
import type { Logger } from 'pino';
import { AppError } from '../../errors.js';
import { BatcherClosedError, createBatcher, runIsolatingFailures } from '../../platform/batch.js';
import type { Db } from '../../platform/db/client.js';
import { CHECK_VIOLATION, pgErrorInfo, UNIQUE_VIOLATION } from '../../platform/db/errors.js';
import type { RegistrationStatus } from '../../domain/events.js';
import type { Actor as AccountActor, Role } from '../../domain/accounts.js';
import type { Metrics } from '../../platform/metrics.js';
import type { Push } from '../../platform/push/port.js';
import { verifyChain, type AuditVerdict } from './audit.js';
import { cancelRegistration, expireHolds, fillFromWaitlist, type Stores } from './holds.js';
import { createLiveUpdates, type RegistrationListener } from './live.js';
import { SHUFFLE_ALGORITHM, LOTTERY_ALGORITHM, type LotteryProof } from './lottery.js';
import { createRegistrationStore } from './registration-store.js';
import { registerBatch, type RegisterOutcome, type RegisterRequest } from './registration.js';
import { newEventValues, patchFields, settingsOf, type EventInput, type EventPatch } from './rules.js';
import { markRefunded, settlePayment, type PaymentInput, type SettleOutcome } from './settlement.js';
import { createEventsStore, type EventRow, type RegistrationRow } from './store.js';
import { applyClock, closeEvent, drawLottery, openEvent } from './transitions.js';
import { runUnit, SYSTEM_ACTOR, type Unit } from './unit.js';
import { eventStatus, toEventView, toRegistrationView, type EventView, type RegistrationView } from './views.js';

/** Who manages an event; the role is the current one (the HTTP guard looked it up). */
export type Actor = Pick<AccountActor, 'id' | 'role'>;

export interface EventsServiceOptions {
  db: Db;
  push: Push;
  log: Logger;
  metrics: Metrics;
  /** The account's current role; undefined when it does not exist (the accounts service, cached). */
  currentRole: (userId: string) => Promise<Role | undefined>;
  sweepIntervalMs: number;
  batch: { maxItems: number; maxWaitMs: number };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ID_CACHE_LIMIT = 10_000;
const FOREIGN_KEY_VIOLATION = '23503';

/** Maps constraint violations to the errors a client can act on. */
function constraintError(error: unknown): AppError | undefined {
  const info = pgErrorInfo(error);
  if (info?.code === UNIQUE_VIOLATION && info.constraint === 'events_slug_key') return new AppError('SLUG_TAKEN');
  if (info?.code === CHECK_VIOLATION && info.constraint === 'events_not_oversold') return new AppError('CAPACITY_BELOW_TAKEN');
  if (info?.code === FOREIGN_KEY_VIOLATION) return new AppError('NOT_FOUND', 'No such user');
  return undefined;
}

export function createEventsService(options: EventsServiceOptions) {
  const { db, log, metrics } = options;
  const stores: Stores = { events: createEventsStore(db), registrations: createRegistrationStore(db) };
  const live = createLiveUpdates({ push: options.push, metrics, loadEvent: (id) => stores.events.findEvent(id), log });

  /** Runs a unit, publishes what it changed, and turns constraint violations into client errors. */
  async function run<T>(work: (unit: Unit) => Promise<T>, positions?: (result: T) => Map<string, number>): Promise<T> {
    let outcome;
    try {
      outcome = await runUnit(db, stores.events, work);
    } catch (error) {
      throw constraintError(error) ?? error;
    }
    live.publish(outcome.changes, outcome.touched, outcome.events, positions?.(outcome.result));
    return outcome.result;
  }

  // Slugs never change and events are never deleted, so a resolved id can be remembered.
  const ids = new Map<string, string>();
  async function resolveId(idOrSlug: string): Promise<string> {
    const cached = ids.get(idOrSlug);
    if (cached) return cached;
    const event = await stores.events.findEvent(idOrSlug);
    if (!event) throw new AppError('NOT_FOUND', `No event ${idOrSlug}`);
    if (ids.size >= ID_CACHE_LIMIT) ids.clear();
    ids.set(idOrSlug, event.id);
    return event.id;
  }

  async function findEvent(idOrSlug: string): Promise<EventRow> {
    const event = await stores.events.findEvent(idOrSlug);
    if (!event) throw new AppError('NOT_FOUND', `No event ${idOrSlug}`);
    return event;
  }

  /** Organizers manage the events they created; admins manage all. */
  async function managed(actor: Actor, idOrSlug: string): Promise<EventRow> {
    const event = await findEvent(idOrSlug);
    if (actor.role !== 'admin' && event.createdBy !== actor.id) throw new AppError('FORBIDDEN', 'Only the organizer who created this event, or an admin, may manage it');
    return event;
  }

  async function lockedEvent(unit: Unit, id: string): Promise<EventRow> {
    const event = await unit.lock(id);
    if (!event) throw new AppError('NOT_FOUND', `No event ${id}`);
    return event;
  }

  const priorityList = async (eventId: string) =>
    (await stores.events.listPriorities(eventId)).map((row) => ({ ...row, setAt: row.setAt.toISOString() }));

  const eventView = async (id: string) => toEventView(await findEvent(id), new Date());

  async function registrationView(row: RegistrationRow, event?: EventRow): Promise<RegistrationView> {
    const owner = event ?? (await findEvent(row.eventId));
    if (row.status !== 'waitlisted') return toRegistrationView(row, owner);
    const live = await stores.registrations.withPosition(row.id);
    return toRegistrationView(live?.registration ?? row, owner, { position: live?.position ?? null, waitlistPromoted: live?.waitlistPromoted ?? null });
  }

  const registrations = createBatcher<RegisterRequest, { outcome: RegisterOutcome; event: EventRow }>({
    name: 'registrations',
    maxItems: options.batch.maxItems,
    maxWaitMs: options.batch.maxWaitMs,
    onBatch: (size) => metrics.registrationBatchSize.observe(size),
    run: async (requests) => {
      const byEvent = new Map<string, number[]>();
      requests.forEach((request, index) => byEvent.set(request.eventId, [...(byEvent.get(request.eventId) ?? []), index]));
      const results: Array<{ outcome: RegisterOutcome; event: EventRow } | Error> = new Array(requests.length);
      await Promise.all(
        [...byEvent].map(async ([eventId, indexes]) => {
          // One transaction per event; a request that poisons it is cornered and fails alone.
          const outcomes = await runIsolatingFailures(
            indexes.map((index) => requests[index]!),
            async (subset) => {
              const committed = await run(
                async (unit) => ({ outcomes: await registerBatch(unit, stores, eventId, subset), event: unit.event(eventId) }),
                ({ outcomes }) => new Map(outcomes.flatMap((o) => (o instanceof Error || o.position === null ? [] : [[o.registration.id, o.position] as const]))),
              );
              return committed.outcomes.map((outcome) => (outcome instanceof Error ? outcome : { outcome, event: committed.event }));
            },
          );
          indexes.forEach((index, i) => (results[index] = outcomes[i]!));
        }),
      );
      return results;
    },
  });

  let ticking: Promise<void> | undefined;
  /** One pass of the durable schedule: due transitions, then expired holds. Safe on every instance at once. */
  async function tick(): Promise<void> {
    const now = new Date();
    const due = await stores.events.dueTransitions(now);
    const expiring = await stores.registrations.eventsWithExpiredHolds(now);
    for (const [eventId, work] of [
      ...due.map((id) => [id, (unit: Unit) => applyClock(unit, stores, id, SYSTEM_ACTOR)] as const),
      ...expiring.map((id) => [id, (unit: Unit) => expireHolds(unit, stores, id, SYSTEM_ACTOR)] as const),
    ]) {
      try {
        await run(async (unit) => {
          if (await unit.lock(eventId)) await work(unit);
        });
      } catch (error) {
        log.error({ err: error, eventId }, 'scheduled event work failed; retrying next tick');
      }
    }
  }
  const runTick = () => (ticking ??= tick().finally(() => (ticking = undefined)));
  const timer = setInterval(() => void runTick().catch((error) => log.warn({ err: error }, 'event scheduler tick failed')), options.sweepIntervalMs).unref();

  return {
    async create(actor: Actor, input: EventInput): Promise<EventView> {
      const values = newEventValues(input, actor.id);
      const id = await run(async (unit) => {
        const row = await stores.events.insertEvent(unit.tx, values);
        await unit.lock(row.id);
        unit.audit(row.id, actor.id, 'event.created', settingsOf({ ...values, id: row.id }));
        await applyClock(unit, stores, row.id, SYSTEM_ACTOR);
        return row.id;
      });
      return eventView(id);
    },

    async list(query: { limit: number; offset: number; createdBy?: string }): Promise<EventView[]> {
      const now = new Date();
      return (await stores.events.listEvents({ limit: query.limit, offset: query.offset, createdBy: query.createdBy })).map((row) => toEventView(row, now));
    },

    get: async (idOrSlug: string) => toEventView(await findEvent(idOrSlug), new Date()),

    async update(actor: Actor, idOrSlug: string, patch: EventPatch): Promise<EventView> {
      const { id } = await managed(actor, idOrSlug);
      await run(async (unit) => {
        const event = await lockedEvent(unit, id);
        const fields = patchFields(event, eventStatus(event, unit.now), patch);
        if (Object.keys(fields).length === 0) return;
        unit.patch(id, fields);
        unit.audit(id, actor.id, 'event.updated', settingsOf(fields));
        if (fields.capacity !== undefined) await fillFromWaitlist(unit, stores, id, actor.id);
        await applyClock(unit, stores, id, SYSTEM_ACTOR);
      });
      return eventView(id);
    },

    async openRegistration(actor: Actor, idOrSlug: string): Promise<EventView> {
      const { id } = await managed(actor, idOrSlug);
      await run(async (unit) => {
        const status = eventStatus(await lockedEvent(unit, id), unit.now);
        if (status === 'open' || status === 'drawn') throw new AppError('INVALID_STATE', `The event is ${status}`);
        await openEvent(unit, stores, id, actor.id);
      });
      return eventView(id);
    },

    async closeRegistration(actor: Actor, idOrSlug: string): Promise<EventView> {
      const { id } = await managed(actor, idOrSlug);
      await run(async (unit) => {
        const status = eventStatus(await lockedEvent(unit, id), unit.now);
        if (status === 'closed' || status === 'drawn') throw new AppError('INVALID_STATE', `The event is already ${status}`);
        await closeEvent(unit, id, actor.id);
      });
      return eventView(id);
    },

    async draw(actor: Actor, idOrSlug: string): Promise<{ event: EventView; proof: LotteryProof }> {
      const { id } = await managed(actor, idOrSlug);
      const proof = await run(async (unit) => {
        const status = eventStatus(await lockedEvent(unit, id), unit.now);
        if (status === 'scheduled') throw new AppError('INVALID_STATE', 'The lottery has not opened yet');
        return drawLottery(unit, stores, id, actor.id);
      });
      return { event: await eventView(id), proof };
    },

    async setPriorities(actor: Actor, idOrSlug: string, entries: Array<{ userId: string; group: string | null }>) {
      const { id, priorityGroups } = await managed(actor, idOrSlug);
      entries.forEach(({ group }, index) => {
        if (group !== null && !Object.hasOwn(priorityGroups, group)) {
          const field = `body${entries.length > 1 ? `.${index}` : ''}.group`;
          throw new AppError('VALIDATION_FAILED', `Unknown priority group "${group}"`, { errors: [{ field, message: `must be one of: ${Object.keys(priorityGroups).join(', ') || '(no groups defined)'}` }] });
        }
      });
      await run(async (unit) => {
        const event = await lockedEvent(unit, id);
        for (const { userId, group } of entries) {
          await stores.events.setPriority(unit.tx, id, userId, group, actor.id);
          const weight = (group && Object.hasOwn(event.priorityGroups, group) && event.priorityGroups[group]) || 1;
          unit.audit(id, actor.id, 'priority.set', { userId, group, weight });
          const registration = await stores.registrations.findByUser(id, userId, unit.tx);
          // Waiting places follow the new weight; a drawn lottery's waitlist keeps draw order.
          const reorder = registration && (registration.status === 'entered' || (registration.status === 'waitlisted' && event.mode === 'fcfs'));
          if (reorder) unit.changed(await stores.registrations.update(unit.tx, registration.id, { weight, priority: weight, priorityGroup: group }), registration);
        }
      });
      return priorityList(id);
    },

    async priorities(actor: Actor, idOrSlug: string) {
      return priorityList((await managed(actor, idOrSlug)).id);
    },

    /** The hot path: batched with everyone else's registrations for the same event. */
    async register(actorId: string, idOrSlug: string, forUserId?: string): Promise<{ created: boolean; registration: RegistrationView }> {
      const eventId = await resolveId(idOrSlug);
      let userId = actorId;
      if (forUserId !== undefined && forUserId !== actorId) {
        // Looked up only here: registering oneself, the hot path, needs no role.
        const role = await options.currentRole(actorId);
        if (role !== 'admin' && role !== 'organizer') throw new AppError('FORBIDDEN', 'Only organizers and admins register other people');
        await managed({ id: actorId, role }, eventId);
        if (!(await options.currentRole(forUserId))) throw new AppError('NOT_FOUND', `No user ${forUserId}`);
        userId = forUserId;
      }
      const { outcome, event } = await registrations.add({ eventId, userId, actorId }).catch((error: unknown) => {
        throw error instanceof BatcherClosedError ? new AppError('SHUTTING_DOWN') : error;
      });
      if (!outcome.created) return { created: false, registration: await registrationView(outcome.registration, event) };
      const live = { position: outcome.position, waitlistPromoted: outcome.waitlistPromoted };
      return { created: true, registration: toRegistrationView(outcome.registration, event, live) };
    },

    async myRegistration(userId: string, idOrSlug: string): Promise<RegistrationView> {
      const event = await findEvent(idOrSlug);
      const row = await stores.registrations.findByUser(event.id, userId);
      if (!row) throw new AppError('NOT_FOUND', 'You have no registration for this event');
      return registrationView(row, event);
    },

    async cancelMine(userId: string, idOrSlug: string): Promise<RegistrationView> {
      const eventId = await resolveId(idOrSlug);
      const row = await run(async (unit) => {
        await lockedEvent(unit, eventId);
        const found = await stores.registrations.findByUser(eventId, userId, unit.tx);
        if (!found) throw new AppError('NOT_FOUND', 'You have no registration for this event');
        return cancelRegistration(unit, stores, (await stores.registrations.lockById(unit.tx, found.id))!, userId);
      });
      return registrationView(row);
    },

    async listRegistrations(actor: Actor, idOrSlug: string, query: { status?: RegistrationStatus; limit?: number; offset?: number }) {
      const event = await managed(actor, idOrSlug);
      const [rows, total] = await Promise.all([stores.registrations.list(event.id, query), stores.registrations.count(event.id, query.status)]);
      const promoted = event.waitlistPromoted;
      return {
        total,
        registrations: rows.map(({ registration, handle, position }) => ({
          ...toRegistrationView(registration, event, { position, waitlistPromoted: promoted }),
          handle,
        })),
      };
    },

    async lottery(idOrSlug: string) {
      const event = await findEvent(idOrSlug);
      if (event.mode !== 'lottery') throw new AppError('INVALID_STATE', 'This event is not a lottery');
      return { eventId: event.id, algorithm: LOTTERY_ALGORITHM, commitment: event.lotteryCommitment!, drawn: event.state === 'drawn', drawnAt: event.drawnAt?.toISOString() ?? null, entrants: event.entered };
    },

    async lotteryProof(idOrSlug: string): Promise<LotteryProof> {
      const event = await findEvent(idOrSlug);
      const proof = event.mode === 'lottery' ? await stores.events.findProof(event.id, 'lottery') : undefined;
      if (!proof) throw new AppError('INVALID_STATE', event.mode === 'lottery' ? 'The lottery has not been drawn yet' : 'This event is not a lottery');
      return proof as LotteryProof;
    },

    async preQueue(idOrSlug: string) {
      const event = await findEvent(idOrSlug);
      if (!event.preQueue) throw new AppError('INVALID_STATE', 'This event has no pre-queue');
      return { eventId: event.id, algorithm: SHUFFLE_ALGORITHM, commitment: event.preQueueCommitment!, shuffled: event.openedAt !== null };
    },

    async preQueueProof(idOrSlug: string): Promise<LotteryProof> {
      const event = await findEvent(idOrSlug);
      const proof = await stores.events.findProof(event.id, 'pre-queue');
      if (!proof) throw new AppError('INVALID_STATE', event.preQueue ? 'The pre-queue has not been shuffled yet' : 'This event has no pre-queue');
      return proof as LotteryProof;
    },

    async audit(actor: Actor, idOrSlug: string, query: { afterSeq?: number; limit?: number }) {
      const event = await managed(actor, idOrSlug);
      return { head: { seq: event.auditSeq, hash: event.auditHead }, entries: await stores.events.listAudit(event.id, query) };
    },

    async verifyAudit(idOrSlug: string): Promise<AuditVerdict> {
      const { id } = await findEvent(idOrSlug);
      // One snapshot, so a concurrent append cannot make the head and the entries disagree.
      return db.transaction(
        async (tx) => {
          const event = (await stores.events.findEvent(id, tx))!;
          return verifyChain(await stores.events.listAudit(id, {}, tx), { seq: event.auditSeq, hash: event.auditHead });
        },
        { isolationLevel: 'repeatable read' },
      );
    },

    // Hooks for other features (contracts.md §2).

    async getRegistration(id: string): Promise<RegistrationView | undefined> {
      if (!UUID.test(id)) return undefined;
      const row = await stores.registrations.findById(id);
      return row ? registrationView(row) : undefined;
    },

    async settlePayment(input: PaymentInput): Promise<{ outcome: SettleOutcome; registration: RegistrationView }> {
      if (!UUID.test(input.registrationId)) throw new AppError('NOT_FOUND', 'No such registration');
      const { outcome, registration } = await run((unit) => settlePayment(unit, stores, input, `payment:${input.provider}`));
      return { outcome, registration: await registrationView(registration) };
    },

    async markRefunded(registrationId: string, refundId: string): Promise<void> {
      if (!UUID.test(registrationId)) throw new AppError('NOT_FOUND', 'No such registration');
      await run((unit) => markRefunded(unit, stores, registrationId, refundId, 'payments'));
    },

    async pendingRefunds(): Promise<RegistrationView[]> {
      return Promise.all((await stores.registrations.refundPending()).map((row) => registrationView(row)));
    },

    onRegistrationChanged(listener: RegistrationListener): void {
      live.onRegistrationChanged(listener);
    },

    async isConfirmedEntrant(eventId: string, userId: string): Promise<boolean> {
      if (!UUID.test(eventId) || !UUID.test(userId)) return false;
      return (await stores.registrations.findByUser(eventId, userId))?.status === 'confirmed';
    },

    /** Home stats: events open for registration right now. */
    countActiveEvents: () => stores.events.countOpen(new Date()),

    async eventExists(eventId: string): Promise<boolean> {
      return UUID.test(eventId) && (await stores.events.findEvent(eventId))?.id === eventId;
    },

    /** Runs the scheduler now (tests, and the CLI); concurrent calls share one pass. */
    tick: runTick,

    async close(): Promise<void> {
      clearInterval(timer);
      await ticking?.catch(() => undefined);
      await registrations.close();
      live.close();
    },
  };
}

export type EventsService = ReturnType<typeof createEventsService>;
