// The activity feature: a per-user log fed through other features' services and hooks, with
// configurable retention; its batches feed the achievements' activity conditions.
import type { Logger } from 'pino';
import type { Db } from '../../platform/db/client.js';
import type { Feature } from '../feature.js';
import { activityRoutes } from './routes.js';
import { createActivityService, type ActivityProgress, type ActivityService } from './service.js';
import { createActivityStore } from './store.js';

export type { ActivityService } from './service.js';

export interface ActivityFeatureDeps {
  db: Db;
  /** The achievements service: activity counts and streaks, evaluation. */
  progress: ActivityProgress;
  /** The events service's after-commit hook: registrations are logged from it. */
  events: {
    onRegistrationChanged(
      listener: (change: { registration: { eventId: string; userId: string; status: string }; previousStatus: string | null }) => void,
    ): void;
  };
  utcOffsetMinutes: (userId: string) => Promise<number>;
  log: Logger;
  retentionDays: number;
  sweepIntervalMs: number;
  now?: () => Date;
}

export function createActivityFeature({
  db,
  progress,
  events,
  utcOffsetMinutes,
  log,
  retentionDays,
  sweepIntervalMs,
  now = () => new Date(),
}: ActivityFeatureDeps): Feature<ActivityService> {
  const service = createActivityService({
    store: createActivityStore(db),
    progress,
    utcOffsetMinutes,
    log,
    now,
    retentionDays,
    sweepIntervalMs,
    batch: { maxItems: 500, maxWaitMs: 20 },
  });
  events.onRegistrationChanged(({ registration, previousStatus }) => {
    if (registration.status === previousStatus) return;
    service.record({
      userId: registration.userId,
      kind: 'registration',
      subject: registration.eventId,
      details: { status: registration.status, previousStatus },
      at: now(),
    });
  });
  return { service, routes: activityRoutes(service), start: async () => service.start(), close: () => service.close() };
}
