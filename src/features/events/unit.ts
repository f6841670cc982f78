// A unit of work: one transaction that changes events and registrations together. It locks each
// event row it touches (always the event before its registration rows, so transactions never
// deadlock on each other), keeps the counters in step with the rows it changes, collects the
// audit entries, and writes counters, state and audit head in one UPDATE per event at the end,
// where the CHECKs judge the result. The changes are published only after the commit.
import type { Db, Tx } from '../../platform/db/client.js';
import { withTransaction } from '../../platform/db/transaction.js';
import type { PaymentStatus, RegistrationStatus } from '../../domain/events.js';
import { chainEntries, type AuditDraft } from './audit.js';
import type { EventRow, EventsStore, RegistrationRow, RegistrationStore } from './store.js';

/** The stores a unit's work reads and writes through, under the unit's transaction. */
export interface Stores {
  events: EventsStore;
  registrations: RegistrationStore;
}

export const SYSTEM_ACTOR = 'system';

type Counter = 'confirmed' | 'held' | 'waitlisted' | 'entered' | 'arrivals' | 'waitlistPromoted';
const COUNTERS: Counter[] = ['confirmed', 'held', 'waitlisted', 'entered', 'arrivals', 'waitlistPromoted'];

/** The counter each live status occupies; terminal statuses occupy none. */
const STATUS_COUNTER: Partial<Record<RegistrationStatus, Counter>> = {
  confirmed: 'confirmed',
  held: 'held',
  waitlisted: 'waitlisted',
  entered: 'entered',
};

export interface Change {
  registration: RegistrationRow;
  previousStatus: RegistrationStatus | null;
  previousPaymentStatus: PaymentStatus | null;
}

interface LockedEvent {
  /** The row as it will be after this unit: counters and fields updated in memory. */
  current: EventRow;
  deltas: Record<Counter, number>;
  fields: Partial<EventRow>;
  audit: AuditDraft[];
}

export interface Unit {
  tx: Tx;
  /** The one clock reading every decision in this unit uses. */
  now: Date;
  /** Locks the event row (FOR UPDATE) once per unit; undefined when it does not exist. */
  lock(eventId: string): Promise<EventRow | undefined>;
  /** The locked event as this unit has changed it so far. */
  event(eventId: string): EventRow;
  bump(eventId: string, counter: Counter, by: number): void;
  /** Moves one registration between statuses in the counters (null: did not exist / is gone). */
  move(eventId: string, from: RegistrationStatus | null, to: RegistrationStatus | null): void;
  patch(eventId: string, fields: Partial<EventRow>): void;
  audit(eventId: string, actor: string, type: string, data: Record<string, unknown>): void;
  changed(registration: RegistrationRow, previous: Pick<RegistrationRow, 'status' | 'paymentStatus'> | null): void;
  /** Events whose counts changed: their live counts are pushed after commit. */
  readonly touched: Set<string>;
  readonly changes: Change[];
}

export interface UnitResult<T> {
  result: T;
  changes: Change[];
  touched: string[];
  /** Every event the unit locked, as of the commit. */
  events: Map<string, EventRow>;
}

function createUnit(tx: Tx, store: EventsStore, now: Date): Unit & { flush(): Promise<void>; lockedEvents(): Map<string, EventRow> } {
  const locked = new Map<string, LockedEvent>();
  const touched = new Set<string>();
  const changes: Change[] = [];

  const get = (eventId: string): LockedEvent => {
    const entry = locked.get(eventId);
    if (!entry) throw new Error(`event ${eventId} changed without its lock`);
    return entry;
  };

  const unit = {
    tx,
    now,
    touched,
    changes,
    async lock(eventId: string) {
      const existing = locked.get(eventId);
      if (existing) return existing.current;
      const row = await store.lockEvent(tx, eventId);
      if (!row) return undefined;
      locked.set(eventId, {
        current: { ...row },
        deltas: Object.fromEntries(COUNTERS.map((c) => [c, 0])) as Record<Counter, number>,
        fields: {},
        audit: [],
      });
      return locked.get(eventId)!.current;
    },
    event: (eventId: string) => get(eventId).current,
    bump(eventId: string, counter: Counter, by: number) {
      if (by === 0) return;
      const entry = get(eventId);
      entry.deltas[counter] += by;
      entry.current[counter] += by;
      touched.add(eventId);
    },
    move(eventId: string, from: RegistrationStatus | null, to: RegistrationStatus | null) {
      const fromCounter = from ? STATUS_COUNTER[from] : undefined;
      const toCounter = to ? STATUS_COUNTER[to] : undefined;
      if (fromCounter === toCounter) return;
      if (fromCounter) unit.bump(eventId, fromCounter, -1);
      if (toCounter) unit.bump(eventId, toCounter, 1);
    },
    patch(eventId: string, fields: Partial<EventRow>) {
      const entry = get(eventId);
      Object.assign(entry.fields, fields);
      Object.assign(entry.current, fields);
      touched.add(eventId);
    },
    audit(eventId: string, actor: string, type: string, data: Record<string, unknown>) {
      get(eventId).audit.push({ actor, type, data });
    },
    changed(registration: RegistrationRow, previous: Pick<RegistrationRow, 'status' | 'paymentStatus'> | null) {
      changes.push({ registration, previousStatus: previous?.status ?? null, previousPaymentStatus: previous?.paymentStatus ?? null });
    },
    lockedEvents: () => new Map([...locked].map(([id, entry]) => [id, entry.current])),
    async flush() {
      for (const [eventId, entry] of locked) {
        const changedCounters = COUNTERS.some((c) => entry.deltas[c] !== 0);
        if (!changedCounters && entry.audit.length === 0 && Object.keys(entry.fields).length === 0) continue;
        const chained = chainEntries(eventId, { seq: entry.current.auditSeq, hash: entry.current.auditHead }, entry.audit, now);
        const head = chained.at(-1);
        await store.insertAudit(tx, chained);
        await store.applyEventChanges(tx, eventId, entry.deltas, {
          ...entry.fields,
          ...(head ? { auditSeq: head.seq, auditHead: head.hash } : {}),
          updatedAt: now,
        });
      }
    },
  };
  return unit;
}

/**
 * Runs `work` in a transaction (retried on serialization failures and deadlocks, with a fresh
 * unit each attempt) and returns what changed, for the caller to publish after the commit.
 */
export async function runUnit<T>(db: Db, store: EventsStore, work: (unit: Unit) => Promise<T>): Promise<UnitResult<T>> {
  return withTransaction(db, async (tx) => {
    const unit = createUnit(tx, store, new Date());
    const result = await work(unit);
    await unit.flush();
    return { result, changes: unit.changes, touched: [...unit.touched], events: unit.lockedEvents() };
  });
}
