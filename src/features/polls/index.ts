// The polls feature ("rank these"): rankings, Borda results, live result pushes.
import type { Logger } from 'pino';
import type { Cache } from '../../platform/cache/port.js';
import type { Db } from '../../platform/db/client.js';
import type { Push } from '../../platform/push/port.js';
import type { Feature } from '../feature.js';
import { pollsRoutes } from './routes.js';
import { createPollsService, type PollsService } from './service.js';
import { createPollsStore } from './store.js';

export interface PollsFeatureDeps {
  db: Db;
  cache: Cache;
  push: Push;
  log: Logger;
}

export function createPollsFeature({ db, cache, push, log }: PollsFeatureDeps): Feature<PollsService> {
  const service = createPollsService({ store: createPollsStore(db), cache, push, log });
  return { service, routes: pollsRoutes(service), close: async () => service.close() };
}
