// The events feature: organizer management, the registration rush, the durable scheduler, and
// the hooks payments and scoring call.
import { isUuid } from '../../domain/ids.js';
import type { ChannelAuthorizer } from '../../platform/push/port.js';
import type { Feature } from '../feature.js';
import { eventsRoutes } from './routes.js';
import { createEventsService, type EventsService, type EventsServiceOptions } from './service.js';

// What other features may name; everything else in this folder is the feature's own.
export type { EventsService } from './service.js';
export type { PaymentInput, SettleOutcome } from './settlement.js';
export type { RegistrationView } from './views.js';
export type { RegistrationChange } from './live.js';
export { RegistrationSchema } from './schemas.js';

/** The feature needs exactly what its service does. */
export type EventsFeatureDeps = EventsServiceOptions;

export function createEventsFeature(deps: EventsFeatureDeps): Feature<EventsService> {
  const service = createEventsService(deps);
  return { service, routes: eventsRoutes(service), channels: { event: eventChannelAccess(service) }, close: () => service.close() };
}

/** Anyone may follow an event's counts (big screens have no token), but only an event that exists. */
function eventChannelAccess(service: EventsService): ChannelAuthorizer {
  // A rush's thousands of sockets subscribe to the same event: remember the ids that exist (events are few).
  const known = new Set<string>();
  return async (_subscriber, eventId) => {
    const id = eventId.toLowerCase();
    if (!known.has(id)) {
      if (!isUuid(id) || !(await service.eventExists(id))) return 'missing';
      if (known.size >= 10_000) known.clear();
      known.add(id);
    }
    return { id };
  };
}
