// The events feature: organizer management, the registration rush, the durable scheduler, and
// the hooks payments and scoring call.
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
  return { service, routes: eventsRoutes(service), close: () => service.close() };
}
