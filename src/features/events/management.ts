// Organizers' side of events: create, edit, open, close and draw, priorities, the registration
// list, and the public lottery, pre-queue and audit proofs.
import type { RegistrationStatus } from '../../domain/events.js';
import { AppError } from '../../errors.js';
import { verifyChain, type AuditVerdict } from './audit.js';
import type { Actor, EventsContext } from './context.js';
import { fillFromWaitlist } from './holds.js';
import { LOTTERY_ALGORITHM, SHUFFLE_ALGORITHM, type LotteryProof } from './lottery.js';
import { eventStatus, newEventValues, patchFields, settingsOf, type EventInput, type EventPatch } from './rules.js';
import { applyClock, closeEvent, drawLottery, openEvent } from './transitions.js';
import { SYSTEM_ACTOR } from './unit.js';
import { toEventView, toRegistrationView, type EventView } from './views.js';

export function createManagement({ db, stores, run, findEvent, managed, lockedEvent, eventView }: EventsContext) {
  const priorityList = async (eventId: string) =>
    (await stores.events.listPriorities(eventId)).map((row) => ({ ...row, setAt: row.setAt.toISOString() }));

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
      return (await stores.events.listEvents({ limit: query.limit, offset: query.offset, createdBy: query.createdBy })).map((row) =>
        toEventView(row, now),
      );
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
          throw new AppError('VALIDATION_FAILED', `Unknown priority group "${group}"`, {
            errors: [{ field, message: `must be one of: ${Object.keys(priorityGroups).join(', ') || '(no groups defined)'}` }],
          });
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
          if (reorder)
            unit.changed(
              await stores.registrations.update(unit.tx, registration.id, { weight, priority: weight, priorityGroup: group }),
              registration,
            );
        }
      });
      return priorityList(id);
    },

    async priorities(actor: Actor, idOrSlug: string) {
      return priorityList((await managed(actor, idOrSlug)).id);
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
      return {
        eventId: event.id,
        algorithm: LOTTERY_ALGORITHM,
        commitment: event.lotteryCommitment!,
        drawn: event.state === 'drawn',
        drawnAt: event.drawnAt?.toISOString() ?? null,
        entrants: event.entered,
      };
    },

    async lotteryProof(idOrSlug: string): Promise<LotteryProof> {
      const event = await findEvent(idOrSlug);
      const proof = event.mode === 'lottery' ? await stores.events.findProof(event.id, 'lottery') : undefined;
      if (!proof)
        throw new AppError('INVALID_STATE', event.mode === 'lottery' ? 'The lottery has not been drawn yet' : 'This event is not a lottery');
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
  };
}
