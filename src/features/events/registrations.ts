// The registration hot path: each call joins a batch with everyone else's registrations for
// the same event (one transaction per event per batch), then the caller's own answers.
import type { Actor, Role } from '../../domain/accounts.js';
import { AppError } from '../../errors.js';
import { BatcherClosedError, createBatcher, positionsByKey, runIsolatingFailures } from '../../platform/batch.js';
import type { Metrics } from '../../platform/metrics.js';
import type { EventsContext } from './context.js';
import { cancelRegistration } from './holds.js';
import type { IdempotencyTicket } from '../../platform/idempotency/port.js';
import { registerBatch, type KeyReplay, type RegisterOutcome, type RegisterRequest } from './register-batch.js';
import type { EventRow } from './store.js';
import { toRegistrationView, type RegistrationView } from './views.js';

export interface RegistrationsDeps {
  metrics: Metrics;
  /** The account's current role; undefined when it does not exist (the accounts service, cached). */
  currentRole: (userId: string) => Promise<Role | undefined>;
  /** The account, for registering someone else (the accounts service, cached). */
  account: (userId: string) => Promise<{ isGuest: boolean } | undefined>;
  batch: { maxItems: number; maxWaitMs: number };
}

export function createRegistrations(
  { stores, run, resolveId, findEvent, managed, lockedEvent, registrationView }: EventsContext,
  options: RegistrationsDeps,
) {
  const { metrics } = options;
  const batcher = createBatcher<RegisterRequest, { outcome: RegisterOutcome; event: EventRow } | KeyReplay>({
    name: 'registrations',
    maxItems: options.batch.maxItems,
    maxWaitMs: options.batch.maxWaitMs,
    gatherAfterBatch: true,
    onBatch: (size) => metrics.registrationBatchSize.observe(size),
    run: async (requests) => {
      const results: Array<{ outcome: RegisterOutcome; event: EventRow } | KeyReplay | Error> = new Array(requests.length);
      await Promise.all(
        [...positionsByKey(requests, (request) => request.eventId)].map(async ([eventId, indexes]) => {
          // One transaction per event; a request that poisons it is cornered and fails alone.
          const outcomes = await runIsolatingFailures(
            indexes.map((index) => requests[index]!),
            async (subset) => {
              const committed = await run(
                async (unit) => ({ outcomes: await registerBatch(unit, stores, eventId, subset), event: unit.event(eventId) }),
                ({ outcomes }) =>
                  new Map(
                    outcomes.flatMap((o) =>
                      o instanceof Error || 'replay' in o || o.position === null ? [] : [[o.registration.id, o.position] as const],
                    ),
                  ),
              );
              return committed.outcomes.map((outcome) =>
                outcome instanceof Error || 'replay' in outcome ? outcome : { outcome, event: committed.event },
              );
            },
          );
          indexes.forEach((index, i) => (results[index] = outcomes[i]!));
        }),
      );
      return results;
    },
  });

  return {
    /** The hot path: batched with everyone else's registrations for the same event. */
    async register(
      actor: Pick<Actor, 'id' | 'isGuest'>,
      idOrSlug: string,
      forUserId?: string,
      ticket?: IdempotencyTicket,
    ): Promise<{ created: boolean; registration: RegistrationView } | KeyReplay> {
      const actorId = actor.id;
      const eventId = await resolveId(idOrSlug);
      let userId = actorId;
      // The token says whether the caller is a guest (a guest never becomes one, nor stops being one).
      let guest = actor.isGuest;
      if (forUserId !== undefined && forUserId !== actorId) {
        // Looked up only here: registering oneself, the hot path, needs no role.
        const role = await options.currentRole(actorId);
        if (role !== 'admin' && role !== 'organizer') throw new AppError('FORBIDDEN', 'Only organizers and admins register other people');
        await managed({ id: actorId, role }, eventId);
        const account = await options.account(forUserId);
        if (!account) throw new AppError('NOT_FOUND', `No user ${forUserId}`);
        userId = forUserId;
        guest = account.isGuest;
      }
      const answer = await batcher.add({ eventId, userId, actorId, guest, ticket }).catch((error: unknown) => {
        throw error instanceof BatcherClosedError ? new AppError('SHUTTING_DOWN') : error;
      });
      if ('replay' in answer) return answer;
      const { outcome, event } = answer;
      const live = { position: outcome.position, waitlistPromoted: outcome.waitlistPromoted };
      return { created: outcome.created, registration: toRegistrationView(outcome.registration, event, live) };
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

    /** Answers what is already queued, then refuses new registrations. */
    close: () => batcher.close(),
  };
}
