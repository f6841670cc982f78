// After each commit: every changed registration goes to its user's channel and to in-process
// listeners (payments), and the event's counts go to `event:<id>`, coalesced to at most 4 a
// second. Waiting users follow their position through the counts' waitlistPromoted head
// counter, so a promotion costs one broadcast, not one message per waiting user.
import type { Logger } from 'pino';
import type { PaymentStatus, RegistrationStatus } from '../../domain/events.js';
import type { Metrics } from '../../platform/metrics.js';
import { createCoalescer } from '../../platform/push/coalescer.js';
import type { Push } from '../../platform/push/port.js';
import { eventChannel } from './keys.js';
import type { EventRow } from './store.js';
import type { Change } from './unit.js';
import { eventStatus } from './rules.js';
import { countsOf, toRegistrationView, type RegistrationView } from './views.js';

export const COUNTS_INTERVAL_MS = 250;

export interface RegistrationChange {
  registration: RegistrationView;
  previousStatus: RegistrationStatus | null;
  previousPaymentStatus: PaymentStatus | null;
}

export type RegistrationListener = (change: RegistrationChange) => void;

export interface LiveUpdatesOptions {
  push: Push;
  metrics: Metrics;
  loadEvent: (id: string) => Promise<EventRow | undefined>;
  log: Logger;
}

export function createLiveUpdates({ push, metrics, loadEvent, log }: LiveUpdatesOptions) {
  const listeners: RegistrationListener[] = [];
  const counts = createCoalescer<string>(
    COUNTS_INTERVAL_MS,
    async (eventId) => {
      // Read at flush time, so the trailing flush of a burst carries the final figures.
      const event = await loadEvent(eventId);
      if (event) push.toChannel(eventChannel(eventId), 'counts', { eventId, status: eventStatus(event, new Date()), ...countsOf(event) });
    },
    (error, eventId) => log.warn({ err: error, eventId }, 'could not push event counts'),
  );

  return {
    onRegistrationChanged(listener: RegistrationListener): void {
      listeners.push(listener);
    },
    /** `events` holds each changed registration's event as of the commit; `positions` known waitlist places by registration id. */
    publish(changes: Change[], touched: string[], events: Map<string, EventRow>, positions: Map<string, number> = new Map()): void {
      for (const eventId of touched) counts.schedule(eventId);
      const views: Array<[string, RegistrationView]> = [];
      for (const change of changes) {
        const event = events.get(change.registration.eventId)!;
        const registration = toRegistrationView(change.registration, event, {
          position: positions.get(change.registration.id) ?? null,
          waitlistPromoted: event.waitlistPromoted,
        });
        if (change.previousStatus !== registration.status) metrics.registrationChanges.inc({ status: registration.status });
        views.push([registration.userId, registration]);
        for (const listener of listeners) {
          try {
            listener({ registration, previousStatus: change.previousStatus, previousPaymentStatus: change.previousPaymentStatus });
          } catch (error) {
            log.error({ err: error, registrationId: registration.id }, 'registration listener failed');
          }
        }
      }
      // One message between instances for the batch (one XADD with Redis), not one per registration.
      push.toUsers('registration', views);
    },
    close(): void {
      counts.close();
    },
  };
}

export type LiveUpdates = ReturnType<typeof createLiveUpdates>;
