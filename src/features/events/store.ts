// SQL for events, priorities, proofs and the audit log. Registration rows: registration-store.ts.
import { and, asc, desc, eq, gt, inArray, isNull, lte, or, sql } from 'drizzle-orm';
import type { Db, Executor, Tx } from '../../platform/db/client.js';
import { auditLog, eventPriorities, eventProofs, events, registrations } from '../../platform/db/schema.js';
import type { AuditEntry } from './audit.js';

export type EventRow = typeof events.$inferSelect;
export type NewEvent = typeof events.$inferInsert;
export type RegistrationRow = typeof registrations.$inferSelect;
export type ProofKind = 'lottery' | 'pre-queue';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// A parameter list stays far below PostgreSQL's 65,535 bind parameters.
const AUDIT_CHUNK = 2000;

/** Events are addressed by id or by slug; only a UUID-shaped value is tried as an id. */
function byIdOrSlug(idOrSlug: string) {
  return UUID.test(idOrSlug) ? or(eq(events.id, idOrSlug), eq(events.slug, idOrSlug)) : eq(events.slug, idOrSlug);
}

export function createEventsStore(db: Db) {
  return {
    async insertEvent(tx: Tx, values: NewEvent): Promise<EventRow> {
      const [row] = await tx.insert(events).values(values).returning();
      return row!;
    },
    async findEvent(idOrSlug: string, executor: Executor = db): Promise<EventRow | undefined> {
      const [row] = await executor.select().from(events).where(byIdOrSlug(idOrSlug)).limit(1);
      return row;
    },
    async lockEvent(tx: Tx, id: string): Promise<EventRow | undefined> {
      const [row] = await tx.select().from(events).where(eq(events.id, id)).for('update');
      return row;
    },
    async listEvents(options: { limit: number; offset: number; createdBy?: string }): Promise<EventRow[]> {
      return db
        .select()
        .from(events)
        .where(options.createdBy ? eq(events.createdBy, options.createdBy) : undefined)
        .orderBy(desc(events.createdAt), asc(events.id))
        .limit(options.limit)
        .offset(options.offset);
    },
    /** Events taking registrations now: what eventStatus calls `open`, in SQL. */
    async countOpen(now: Date): Promise<number> {
      const [row] = await db
        .select({ count: sql<number>`count(*)::int` })
        .from(events)
        .where(
          and(
            inArray(events.state, ['pending', 'open']),
            or(isNull(events.closesAt), gt(events.closesAt, now)),
            or(eq(events.state, 'open'), isNull(events.opensAt), lte(events.opensAt, now)),
          ),
        );
      return Number(row!.count);
    },
    /** Applies counter deltas and absolute fields in one UPDATE; the CHECKs judge the result. */
    async applyEventChanges(tx: Tx, id: string, deltas: Record<'confirmed' | 'held' | 'waitlisted' | 'entered' | 'arrivals' | 'waitlistPromoted', number>, fields: Partial<EventRow>): Promise<void> {
      await tx
        .update(events)
        .set({
          ...fields,
          confirmed: sql`${events.confirmed} + ${deltas.confirmed}`,
          held: sql`${events.held} + ${deltas.held}`,
          waitlisted: sql`${events.waitlisted} + ${deltas.waitlisted}`,
          entered: sql`${events.entered} + ${deltas.entered}`,
          arrivals: sql`${events.arrivals} + ${deltas.arrivals}`,
          waitlistPromoted: sql`${events.waitlistPromoted} + ${deltas.waitlistPromoted}`,
        })
        .where(eq(events.id, id));
    },
    /** Events whose opensAt or closesAt has passed without the transition having run. */
    async dueTransitions(now: Date, limit = 50): Promise<string[]> {
      const rows = await db
        .select({ id: events.id })
        .from(events)
        .where(
          or(
            and(eq(events.state, 'pending'), or(isNull(events.opensAt), lte(events.opensAt, now))),
            and(inArray(events.state, ['pending', 'open']), lte(events.closesAt, now)),
            and(eq(events.mode, 'lottery'), sql`${events.state} <> 'drawn'`, lte(events.closesAt, now)),
          ),
        )
        .limit(limit);
      return rows.map((row) => row.id);
    },

    async prioritiesOf(tx: Executor, eventId: string, userIds: string[]): Promise<Map<string, string>> {
      if (userIds.length === 0) return new Map();
      const rows = await tx
        .select({ userId: eventPriorities.userId, group: eventPriorities.group })
        .from(eventPriorities)
        .where(and(eq(eventPriorities.eventId, eventId), inArray(eventPriorities.userId, userIds)));
      return new Map(rows.map((row) => [row.userId, row.group]));
    },
    async setPriority(tx: Tx, eventId: string, userId: string, group: string | null, setBy: string): Promise<void> {
      if (group === null) {
        await tx.delete(eventPriorities).where(and(eq(eventPriorities.eventId, eventId), eq(eventPriorities.userId, userId)));
        return;
      }
      await tx
        .insert(eventPriorities)
        .values({ eventId, userId, group, setBy })
        .onConflictDoUpdate({ target: [eventPriorities.eventId, eventPriorities.userId], set: { group, setBy, setAt: sql`now()` } });
    },
    async listPriorities(eventId: string) {
      return db
        .select({ userId: eventPriorities.userId, group: eventPriorities.group, setAt: eventPriorities.setAt })
        .from(eventPriorities)
        .where(eq(eventPriorities.eventId, eventId))
        .orderBy(asc(eventPriorities.setAt), asc(eventPriorities.userId));
    },

    async saveProof(tx: Tx, eventId: string, kind: ProofKind, proof: unknown): Promise<void> {
      await tx.insert(eventProofs).values({ eventId, kind, proof });
    },
    async findProof(eventId: string, kind: ProofKind): Promise<unknown> {
      const [row] = await db
        .select({ proof: eventProofs.proof })
        .from(eventProofs)
        .where(and(eq(eventProofs.eventId, eventId), eq(eventProofs.kind, kind)));
      return row?.proof;
    },

    async insertAudit(tx: Tx, entries: AuditEntry[]): Promise<void> {
      for (let start = 0; start < entries.length; start += AUDIT_CHUNK) {
        await tx.insert(auditLog).values(entries.slice(start, start + AUDIT_CHUNK));
      }
    },
    async listAudit(eventId: string, options: { afterSeq?: number; limit?: number } = {}, executor: Executor = db): Promise<AuditEntry[]> {
      const query = executor
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.eventId, eventId), gt(auditLog.seq, options.afterSeq ?? 0)))
        .orderBy(asc(auditLog.seq));
      return options.limit ? query.limit(options.limit) : query;
    },
  };
}

export type EventsStore = ReturnType<typeof createEventsStore>;
