// The core every part of the events service shares: the stores, running a unit of work and
// publishing what it changed, and the lookups of events and registrations.
import type { Logger } from 'pino';
import type { Actor as AccountActor } from '../../domain/accounts.js';
import { AppError } from '../../errors.js';
import type { Db } from '../../platform/db/client.js';
import { CHECK_VIOLATION, pgErrorInfo, UNIQUE_VIOLATION } from '../../platform/db/errors.js';
import type { Metrics } from '../../platform/metrics.js';
import type { Sealer } from '../../platform/sealing.js';
import type { Push } from '../../platform/push/port.js';
import { createLiveUpdates } from './live.js';
import { createEventsStore, createRegistrationStore, type EventRow, type RegistrationRow } from './store.js';
import { runUnit, type Stores, type Unit } from './unit.js';
import { toEventView, toRegistrationView, type RegistrationView } from './views.js';

/** Who manages an event; the role is the current one (the HTTP guard looked it up). */
export type Actor = Pick<AccountActor, 'id' | 'role'>;

export interface EventsContextDeps {
  db: Db;
  push: Push;
  log: Logger;
  metrics: Metrics;
  seeds: Sealer;
}

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

export function createEventsContext({ db, push, log, metrics, seeds }: EventsContextDeps) {
  const stores: Stores = { events: createEventsStore(db, seeds), registrations: createRegistrationStore(db) };
  const live = createLiveUpdates({ push, metrics, loadEvent: (id) => stores.events.findEvent(id), log });

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
    if (actor.role !== 'admin' && event.createdBy !== actor.id)
      throw new AppError('FORBIDDEN', 'Only the organizer who created this event, or an admin, may manage it');
    return event;
  }

  async function lockedEvent(unit: Unit, id: string): Promise<EventRow> {
    const event = await unit.lock(id);
    if (!event) throw new AppError('NOT_FOUND', `No event ${id}`);
    return event;
  }

  const eventView = async (id: string) => toEventView(await findEvent(id), new Date());

  async function registrationView(row: RegistrationRow, event?: EventRow): Promise<RegistrationView> {
    const owner = event ?? (await findEvent(row.eventId));
    if (row.status !== 'waitlisted') return toRegistrationView(row, owner);
    const live = await stores.registrations.withPosition(row.id);
    return toRegistrationView(live?.registration ?? row, owner, {
      position: live?.position ?? null,
      waitlistPromoted: live?.waitlistPromoted ?? null,
    });
  }

  return { db, stores, live, run, resolveId, findEvent, managed, lockedEvent, eventView, registrationView };
}

export type EventsContext = ReturnType<typeof createEventsContext>;
