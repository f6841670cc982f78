// The events service: organizer management, the registration hot path (micro-batched), the
// durable scheduler and the hooks other features use, over one shared core (context.ts). Each
// write is one unit of work (unit.ts); what it changed is published after the commit.
import type { Logger } from 'pino';
import type { Role } from '../../domain/accounts.js';
import type { Db } from '../../platform/db/client.js';
import type { Metrics } from '../../platform/metrics.js';
import type { Sealer } from '../../platform/sealing.js';
import type { Push } from '../../platform/push/port.js';
import { createEventsContext } from './context.js';
import { createHooks } from './hooks.js';
import { createManagement } from './management.js';
import { createRegistrations } from './registrations.js';
import { createScheduler } from './scheduler.js';

export interface EventsServiceOptions {
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

export function createEventsService(options: EventsServiceOptions) {
  const context = createEventsContext(options);
  const registrations = createRegistrations(context, options);
  const scheduler = createScheduler(context, options);
  return {
    ...createManagement(context),
    ...registrations,
    ...createHooks(context),
    tick: scheduler.tick,

    async close(): Promise<void> {
      await scheduler.close();
      await registrations.close();
      context.live.close();
    },
  };
}

export type EventsService = ReturnType<typeof createEventsService>;
