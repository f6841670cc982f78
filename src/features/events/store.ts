// SQL for events, priorities, proofs and the audit log, and for registration rows. Callers that
// change registration rows hold the event row lock (see unit.ts).
import { and, asc, desc, eq, gt, inArray, isNull, lte, or, sql } from 'drizzle-orm';
import type { Db, Executor, Tx } from '../../platform/db/client.js';
import type { RegistrationStatus } from '../../domain/events.js';
import { isUuid } from '../../domain/ids.js';
import { auditLog, eventPriorities, eventProofs, events, registrations, users } from '../../platform/db/schema.js';
import type { Sealer } from '../../platform/sealing.js';
import type { AuditEntry } from './audit.js';
import { rows as queryRows } from '../../platform/db/rows.js';

export type EventRow = typeof events.$inferSelect;
export type NewEvent = typeof events.$inferInsert;
export type RegistrationRow = typeof registrations.$inferSelect;
export type ProofKind = 'lottery' | 'pre-queue';

// A parameter list stays far below PostgreSQL's 65,535 bind parameters.
const AUDIT_CHUNK = 2000;

/** Events are addressed by id or by slug; only a UUID-shaped value is tried as an id. */
function byIdOrSlug(idOrSlug: string) {
  return isUuid(idOrSlug) ? or(eq(events.id, idOrSlug), eq(events.slug, idOrSlug)) : eq(events.slug, idOrSlug);
}

/**
 * Undrawn seeds are sealed in the row (a copy of the database must not let anyone predict a
 * draw); rows leave this store with them open, and go in sealed.
 */
function seedCodec(sealer: Sealer) {
  const each = <T extends Partial<Pick<EventRow, 'lotterySeed' | 'preQueueSeed'>>>(row: T, code: (value: string) => string): T => ({
    ...row,
    ...(row.lotterySeed ? { lotterySeed: code(row.lotterySeed) } : {}),
    ...(row.preQueueSeed ? { preQueueSeed: code(row.preQueueSeed) } : {}),
  });
  return {
    sealed: <T extends Partial<EventRow>>(row: T) => each(row, sealer.seal),
    opened: <T extends EventRow | undefined>(row: T): T => (row ? each(row, sealer.open) : row),
  };
}

export function createEventsStore(db: Db, sealer: Sealer) {
  const { sealed, opened } = seedCodec(sealer);
  return {
    async insertEvent(tx: Tx, values: NewEvent): Promise<EventRow> {
      const [row] = await tx.insert(events).values(sealed(values)).returning();
      return opened(row!);
    },
    async findEvent(idOrSlug: string, executor: Executor = db): Promise<EventRow | undefined> {
      const [row] = await executor.select().from(events).where(byIdOrSlug(idOrSlug)).limit(1);
      return opened(row);
    },
    async lockEvent(tx: Tx, id: string): Promise<EventRow | undefined> {
      const [row] = await tx.select().from(events).where(eq(events.id, id)).for('update');
      return opened(row);
    },
    async listEvents(options: { limit: number; offset: number; createdBy?: string }): Promise<EventRow[]> {
      // The public list may come from the replica; an organizer's own list shows what they just created.
      const rows = await (options.createdBy ? db : db.read)
        .select()
        .from(events)
        .where(options.createdBy ? eq(events.createdBy, options.createdBy) : undefined)
        .orderBy(desc(events.createdAt), asc(events.id))
        .limit(options.limit)
        .offset(options.offset);
      return rows.map(opened);
    },
    /** Events taking registrations now: what eventStatus calls `open`, in SQL. */
    async countOpen(now: Date): Promise<number> {
      const [row] = await db.read
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
    async applyEventChanges(
      tx: Tx,
      id: string,
      deltas: Record<'confirmed' | 'held' | 'waitlisted' | 'entered' | 'arrivals' | 'waitlistPromoted', number>,
      fields: Partial<EventRow>,
    ): Promise<void> {
      await tx
        .update(events)
        .set({
          ...sealed(fields),
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

export type NewRegistration = typeof registrations.$inferInsert;

/** What the registration batch decides for each new entrant; every other column starts at its default. */
export type NewEntrant = Pick<
  RegistrationRow,
  'eventId' | 'userId' | 'status' | 'seq' | 'queuePos' | 'priority' | 'weight' | 'priorityGroup' | 'holdExpiresAt' | 'registeredBy' | 'paymentStatus'
>;

const ENTRANT_DEFAULTS = {
  statusReason: null,
  drawRank: null,
  paymentProvider: null,
  paymentRef: null,
  amountCents: null,
  paidAt: null,
} satisfies Partial<RegistrationRow>;
export type RegistrationUpdate = Partial<Omit<NewRegistration, 'id' | 'eventId' | 'userId'>>;

const WAITLIST_ORDER = [sql`${registrations.priority} desc`, asc(registrations.queuePos)] as const;

/** Waitlisted rows ahead of (priority, queuePos), plus one: the 1-based position. */
function positionExpression(priority: unknown, queuePos: unknown, eventId: unknown = registrations.eventId) {
  return sql<number>`(select count(*)::int + 1 from ${registrations} ahead
    where ahead.event_id = ${eventId} and ahead.status = 'waitlisted'
      and (ahead.priority > ${priority} or (ahead.priority = ${priority} and ahead.queue_pos < ${queuePos})))`;
}

export interface ListedRegistration {
  registration: RegistrationRow;
  handle: string;
  position: number | null;
}

export function createRegistrationStore(db: Db) {
  return {
    async findById(id: string, executor: Executor = db): Promise<RegistrationRow | undefined> {
      const [row] = await executor.select().from(registrations).where(eq(registrations.id, id));
      return row;
    },
    async lockById(tx: Tx, id: string): Promise<RegistrationRow | undefined> {
      const [row] = await tx.select().from(registrations).where(eq(registrations.id, id)).for('update');
      return row;
    },
    async findByUser(eventId: string, userId: string, executor: Executor = db): Promise<RegistrationRow | undefined> {
      const [row] = await executor
        .select()
        .from(registrations)
        .where(and(eq(registrations.eventId, eventId), eq(registrations.userId, userId)));
      return row;
    },
    async findByUsers(tx: Tx, eventId: string, userIds: string[]): Promise<RegistrationRow[]> {
      return tx
        .select()
        .from(registrations)
        .where(and(eq(registrations.eventId, eventId), inArray(registrations.userId, userIds)));
    },
    /**
     * Rows that already exist are skipped (a unique-index conflict), never duplicated. The hot
     * path's insert: one parameter (the rows as JSON) instead of a dozen per row, and only the
     * generated columns come back; the rest of each row is what was sent.
     */
    async insertMany(tx: Tx, rows: NewEntrant[]): Promise<RegistrationRow[]> {
      if (rows.length === 0) return [];
      const json = JSON.stringify(
        rows.map((r) => [
          r.eventId,
          r.userId,
          r.status,
          r.seq,
          r.queuePos,
          r.priority,
          r.weight,
          r.priorityGroup,
          r.holdExpiresAt?.toISOString() ?? null,
          r.registeredBy,
          r.paymentStatus,
        ]),
      );
      const result = (await tx.execute(sql`
        insert into ${registrations} (event_id, user_id, status, seq, queue_pos, priority, weight, priority_group, hold_expires_at, registered_by, payment_status)
        select (r->>0)::uuid, (r->>1)::uuid, r->>2, (r->>3)::bigint, (r->>4)::bigint, (r->>5)::int, (r->>6)::int, r->>7, (r->>8)::timestamptz, (r->>9)::uuid, r->>10
        from jsonb_array_elements(${json}::jsonb) as r
        on conflict (event_id, user_id) do nothing
        returning id, user_id, created_at`)) as unknown as { rows: Array<{ id: string; user_id: string; created_at: string | Date }> };
      const byUser = new Map(rows.map((row) => [row.userId, row]));
      return result.rows.map((inserted) => {
        const createdAt = new Date(inserted.created_at);
        return { ...ENTRANT_DEFAULTS, ...byUser.get(inserted.user_id)!, id: inserted.id, createdAt, updatedAt: createdAt };
      });
    },
    async update(tx: Tx, id: string, set: RegistrationUpdate): Promise<RegistrationRow> {
      const [row] = await tx
        .update(registrations)
        .set({ ...set, updatedAt: sql`now()` })
        .where(eq(registrations.id, id))
        .returning();
      return row!;
    },
    /** The same change on many rows. */
    async updateMany(tx: Tx, ids: string[], set: RegistrationUpdate): Promise<RegistrationRow[]> {
      if (ids.length === 0) return [];
      return tx
        .update(registrations)
        .set({ ...set, updatedAt: sql`now()` })
        .where(inArray(registrations.id, ids))
        .returning();
    },
    /** Per-row queue places in one statement (pre-queue shuffle, draw ranks). */
    async setQueuePlaces(tx: Tx, places: Array<{ id: string; queuePos: number; drawRank: number | null }>): Promise<void> {
      if (places.length === 0) return;
      await tx.execute(sql`
        update ${registrations} set queue_pos = p.queue_pos, draw_rank = p.draw_rank, updated_at = now()
        from jsonb_to_recordset(${JSON.stringify(places.map((p) => ({ id: p.id, queue_pos: p.queuePos, draw_rank: p.drawRank })))}::jsonb)
          as p(id uuid, queue_pos bigint, draw_rank int)
        where ${registrations.id} = p.id`);
    },
    /** The waitlist head, locked: the next `limit` entries to promote. */
    async waitlistHead(tx: Tx, eventId: string, limit: number): Promise<RegistrationRow[]> {
      if (limit <= 0) return [];
      return tx
        .select()
        .from(registrations)
        .where(and(eq(registrations.eventId, eventId), eq(registrations.status, 'waitlisted')))
        .orderBy(...WAITLIST_ORDER)
        .limit(limit)
        .for('update');
    },
    /** Holds past their expiry; rows another transaction is working on are left for the next sweep. */
    async expiredHolds(tx: Tx, eventId: string, now: Date, limit: number): Promise<RegistrationRow[]> {
      return tx
        .select()
        .from(registrations)
        .where(and(eq(registrations.eventId, eventId), eq(registrations.status, 'held'), lte(registrations.holdExpiresAt, now)))
        .orderBy(asc(registrations.holdExpiresAt))
        .limit(limit)
        .for('update', { skipLocked: true });
    },
    async eventsWithExpiredHolds(now: Date, limit = 50): Promise<string[]> {
      const rows = await db
        .selectDistinct({ eventId: registrations.eventId })
        .from(registrations)
        .where(and(eq(registrations.status, 'held'), lte(registrations.holdExpiresAt, now)))
        .limit(limit);
      return rows.map((row) => row.eventId);
    },
    async byStatus(tx: Tx, eventId: string, status: RegistrationStatus): Promise<RegistrationRow[]> {
      return tx
        .select()
        .from(registrations)
        .where(and(eq(registrations.eventId, eventId), eq(registrations.status, status)))
        .orderBy(asc(registrations.seq));
    },
    /** Waitlisted rows with priority >= each weight: where a new entrant of that weight lands. */
    async waitlistedAtLeast(tx: Tx, eventId: string, weights: number[]): Promise<Map<number, number>> {
      const result = new Map<number, number>();
      for (const weight of weights) {
        const [row] = await tx
          .select({ n: sql<number>`count(*)::int` })
          .from(registrations)
          .where(and(eq(registrations.eventId, eventId), eq(registrations.status, 'waitlisted'), sql`${registrations.priority} >= ${weight}`));
        result.set(weight, row?.n ?? 0);
      }
      return result;
    },
    /** Waitlist positions of these registrations, in one statement (a batch's repeated registrations). */
    async positionsOf(tx: Tx, ids: string[]): Promise<Map<string, number>> {
      if (ids.length === 0) return new Map();
      // Aliased: a single-table select would leave the outer columns unqualified, and the subquery would read its own.
      const rows = await queryRows(
        tx,
        sql`select r.id, ${positionExpression(sql`r.priority`, sql`r.queue_pos`, sql`r.event_id`)} as position
          from ${registrations} r where r.id = any(${sql.param(ids)}::uuid[])`,
      );
      return new Map(rows.map((row) => [String(row.id), Number(row.position)]));
    },
    /** The live position and the head counter, read in one statement so they agree. */
    async withPosition(registrationId: string): Promise<{ registration: RegistrationRow; position: number; waitlistPromoted: number } | undefined> {
      const [row] = await db
        .select({
          registration: registrations,
          position: positionExpression(registrations.priority, registrations.queuePos),
          waitlistPromoted: events.waitlistPromoted,
        })
        .from(registrations)
        .innerJoin(events, eq(events.id, registrations.eventId))
        .where(eq(registrations.id, registrationId));
      return row;
    },
    async list(eventId: string, options: { status?: RegistrationStatus; limit?: number; offset?: number }): Promise<ListedRegistration[]> {
      const where = and(eq(registrations.eventId, eventId), options.status ? eq(registrations.status, options.status) : undefined);
      const query = db
        .select({
          registration: registrations,
          handle: users.handle,
          // A window over each status, so a page still shows positions counted over the whole waitlist.
          position: sql<number | null>`case when ${registrations.status} = 'waitlisted' then (row_number() over (
            partition by ${registrations.status} order by ${registrations.priority} desc, ${registrations.queuePos}))::int end`,
        })
        .from(registrations)
        .innerJoin(users, eq(users.id, registrations.userId))
        .where(where)
        .orderBy(...(options.status === 'waitlisted' ? WAITLIST_ORDER : [asc(registrations.seq)]))
        .offset(options.offset ?? 0);
      return options.limit === undefined ? query : query.limit(options.limit);
    },
    async count(eventId: string, status?: RegistrationStatus): Promise<number> {
      const [row] = await db
        .select({ n: sql<number>`count(*)::int` })
        .from(registrations)
        .where(and(eq(registrations.eventId, eventId), status ? eq(registrations.status, status) : undefined));
      return row?.n ?? 0;
    },
    async refundPending(): Promise<RegistrationRow[]> {
      return db.select().from(registrations).where(eq(registrations.paymentStatus, 'refund_pending')).orderBy(asc(registrations.updatedAt));
    },
  };
}

export type RegistrationStore = ReturnType<typeof createRegistrationStore>;
