// The polls feature ("rank these"): rankings, Borda results, live result pushes.
import type { Logger } from 'pino';
import type { Cache } from '../../platform/cache/port.js';
import type { Db } from '../../platform/db/client.js';
import type { Push } from '../../platform/push/port.js';
import { isUuid } from '../../domain/ids.js';
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
  return {
    service,
    routes: pollsRoutes(service),
    // Results are public, like every board; the poll must exist.
    channels: {
      'board:poll': async (_subscriber, pollId) => (isUuid(pollId) && (await service.exists(pollId)) ? { id: pollId.toLowerCase() } : 'missing'),
    },
    close: async () => service.close(),
  };
}
