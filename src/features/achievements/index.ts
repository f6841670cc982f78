// The achievements feature: definitions, awards, action counts and streaks. Scoring calls its
// service on every committed action batch.
import type { Cache } from '../../platform/cache/port.js';
import type { Db } from '../../platform/db/client.js';
import type { Push } from '../../platform/push/port.js';
import type { Feature } from '../feature.js';
import { achievementsRoutes } from './routes.js';
import { createAchievementsService, type AchievementsService } from './service.js';
import { createAchievementsStore } from './store.js';

export interface AchievementsFeatureDeps {
  db: Db;
  cache: Cache;
  push: Push;
  /** The accounts feature's cached offset lookup: where a user's day starts. */
  utcOffsetMinutes: (userId: string) => Promise<number>;
}

export function createAchievementsFeature({ db, cache, push, utcOffsetMinutes }: AchievementsFeatureDeps): Feature<AchievementsService> {
  const service = createAchievementsService({ store: createAchievementsStore(db), cache, push, utcOffsetMinutes });
  return { service, routes: achievementsRoutes(service) };
}
