// Home page figures: users, actions today (UTC day), active events and the top player of the
// global board. Cached 5 min; committed actions invalidate it at most once a second, so a busy
// board refreshes the figures instead of reloading them on every action.
import type { Cache } from '../../platform/cache/port.js';
import { createCoalescer } from '../../platform/push/coalescer.js';
import type { ActionsStore } from './actions/store.js';
import type { BoardIndex } from './boards/rank-index.js';
import type { Handles } from './boards/handles.js';
import { GLOBAL_BOARD, HOME_STATS_TAG } from './keys.js';
import { ALL_TIME } from './boards/periods.js';

const TTL_SECONDS = 300;
const INVALIDATE_INTERVAL_MS = 1_000;
const DAY_MS = 86_400_000;

export interface HomeStats {
  users: number;
  actionsToday: number;
  activeEvents: number;
  topPlayer: { userId: string; handle: string; score: number } | null;
}

export function createHomeStats(deps: {
  cache: Cache;
  store: ActionsStore;
  index: BoardIndex;
  handles: Handles;
  countActiveEvents: () => Promise<number>;
  now: () => Date;
  onError: (error: unknown) => void;
}) {
  const { cache, store, index, handles, now } = deps;
  const stats = cache.define({
    name: 'home-stats',
    ttlSeconds: TTL_SECONDS,
    load: async (_: 'home'): Promise<HomeStats> => {
      const today = new Date(Math.floor(now().getTime() / DAY_MS) * DAY_MS);
      const [users, actionsToday, activeEvents, [top]] = await Promise.all([
        store.countUsers(),
        store.countSince(today),
        deps.countActiveEvents(),
        index.top(GLOBAL_BOARD, ALL_TIME, 1),
      ]);
      const handle = top ? (await handles.of([top.userId])).get(top.userId)! : '';
      return { users, actionsToday, activeEvents, topPlayer: top ? { userId: top.userId, handle, score: top.score } : null };
    },
    tags: () => [HOME_STATS_TAG],
  });
  const invalidations = createCoalescer<typeof HOME_STATS_TAG>(INVALIDATE_INTERVAL_MS, () => cache.invalidate(HOME_STATS_TAG), deps.onError);

  return {
    get: () => stats.get('home'),
    changed: () => invalidations.schedule(HOME_STATS_TAG),
    close: () => invalidations.close(),
  };
}

export type HomeStatsService = ReturnType<typeof createHomeStats>;
