// The events feature: organizer management, the registration rush, the durable scheduler, and
// the hooks payments and scoring call.
import type { Logger } from 'pino';
import type { Role } from '../../domain/accounts.js';
import type { Db } from '../../platform/db/client.js';
import type { Metrics } from '../../platform/metrics.js';
import type { Sealer } from '../../platform/sealing.js';
import type { Push } from '../../platform/push/port.js';
import type { Feature } from '../feature.js';
import { eventsRoutes } from './routes.js';
import { createEventsService, type EventsService } from './service.js';

// What other features may name; everything else in this folder is the feature's own.
export type { EventsService } from './service.js';
export type { PaymentInput, SettleOutcome } from './settlement.js';
export type { RegistrationView } from './views.js';
export { RegistrationSchema } from './schemas.js';

export interface EventsFeatureDeps {
  db: Db;
  push: Push;
  log: Logger;
  metrics: Metrics;
  /** Seals the commit-reveal seeds at rest until their draw reveals them. */
  seeds: Sealer;
  /** The account's current role; undefined when it does not exist (the accounts service, cached). */
  currentRole: (userId: string) => Promise<Role | undefined>;
  /** The account, for registering someone else; undefined when it does not exist (the accounts service, cached). */
  account: (userId: string) => Promise<{ isGuest: boolean } | undefined>;
  sweepIntervalMs: number;
  batch: { maxItems: number; maxWaitMs: number };
}

export function createEventsFeature(deps: EventsFeatureDeps): Feature<EventsService> {
  const service = createEventsService(deps);
  return { service, routes: eventsRoutes(service), close: () => service.close() };
}
