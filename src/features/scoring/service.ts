// The scoring feature assembled: action types, completions, boards, leaderboards, snapshots,
// home stats. Other features use `ensureBoard` and `submitScores`.
import type { Logger } from 'pino';
import type { Cache } from '../../platform/cache/port.js';
import type { Db } from '../../platform/db/client.js';
import type { Locks } from '../../platform/locks/port.js';
import type { Metrics } from '../../platform/metrics.js';
import type { RankIndex } from '../../platform/rank-index/port.js';
import type { Push } from '../../platform/push/port.js';
import { createActionTypes } from './actions/action-types.js';
import { createActions, type ProgressHooks, type RegistrationLookup } from './actions/service.js';
import { createActionsStore } from './actions/store.js';
import { createBoardIndex } from './boards/rank-index.js';
import { createBoards, type EventsLookup } from './boards/service.js';
import { createBoardsStore } from './boards/store.js';
import { createHandles } from './boards/handles.js';
import { createHomeStats } from './home-stats.js';
import { GLOBAL_BOARD } from './keys.js';
import { createLeaderboards } from './boards/leaderboards.js';
import { createLive, type LiveDeps } from './boards/live.js';
import { ALL_TIME } from './boards/periods.js';
import { createSnapshots } from './boards/snapshots.js';

/** What scoring needs from the events feature. */
export type EventsPort = EventsLookup &
  RegistrationLookup & {
    countActiveEvents(): Promise<number>;
    onRegistrationChanged(
      listener: (change: { registration: { eventId: string; userId: string; status: string }; previousStatus: string | null }) => void,
    ): void;
  };

export interface ScoringDeps {
  db: Db;
  cache: Cache;
  rankIndex: RankIndex;
  push: Push;
  /** Serializes rank-index rebuilds of one board across instances. */
  locks: Locks;
  metrics: Metrics;
  log: Logger;
  utcOffsetMinutes: (userId: string) => Promise<number>;
  events: EventsPort;
  /** The achievements feature: counts and streaks in each action batch's transaction, awards after. */
  progress: ProgressHooks;
  /** How many entries board pushes and snapshots carry. */
  topN: number;
  snapshotSeconds: number;
}

/** The service's sense of time; tests replace `now` to cross period boundaries without sleeping. */
export interface Clock {
  now: () => Date;
}

export function createScoringService(deps: ScoringDeps) {
  const { db, cache, log } = deps;
  const clock: Clock = { now: () => new Date() };
  const now = () => clock.now();

  const boardsStore = createBoardsStore(db);
  const actionsStore = createActionsStore(db);
  const handles = createHandles(boardsStore);
  // Asked on every index read; boards are defined below, and the board rows are remembered.
  const isCurrent = async (name: string, period: string) => {
    if (period === ALL_TIME) return true;
    const board = await boards.find(name);
    return board !== undefined && boards.current(board).period === period;
  };
  const index = createBoardIndex({ index: deps.rankIndex, store: boardsStore, handles, locks: deps.locks, metrics: deps.metrics, log, isCurrent });

  // Live pushes read the board's current top at flush time (boards are defined below; flushes come later).
  const currentTop: LiveDeps['currentTop'] = async (name, limit) => {
    const board = await boards.find(name);
    if (!board) return undefined;
    const { period } = boards.current(board);
    return { period, entries: await index.top(name, period, limit) };
  };
  const live = createLive({ push: deps.push, handles, topN: deps.topN, currentTop, log });
  const boards = createBoards({
    db,
    store: boardsStore,
    index,
    live,
    cache,
    events: deps.events,
    now,
    onChanged: (names) => {
      snapshots.changed(names);
      homeStats.changed();
    },
  });

  const snapshots = createSnapshots({ store: boardsStore, boards, index, handles, intervalSeconds: deps.snapshotSeconds, topN: deps.topN, now, log });
  const homeStats = createHomeStats({
    cache,
    store: actionsStore,
    index,
    handles,
    countActiveEvents: () => deps.events.countActiveEvents(),
    now,
    onError: (error) => log.warn({ err: error }, 'home stats invalidation failed'),
  });
  const actionTypes = createActionTypes({ store: actionsStore, cache, boards, events: deps.events });
  const actions = createActions({
    db,
    store: actionsStore,
    actionTypes,
    boards,
    index,
    cache,
    registrations: deps.events,
    utcOffsetMinutes: deps.utcOffsetMinutes,
    progress: deps.progress,
    now,
    metrics: deps.metrics,
    log,
  });
  // A confirmation won or lost counts at once, not when the cached answer expires. Only those
  // changes matter: a rush's thousands of waitlistings would each cost a cache invalidation.
  deps.events.onRegistrationChanged(({ registration, previousStatus }) => {
    if ((previousStatus === 'confirmed') === (registration.status === 'confirmed')) return;
    actions
      .forgetEntrant(registration.eventId, registration.userId)
      .catch((error: unknown) => log.warn({ err: error }, 'could not forget a cached entrant'));
  });
  const leaderboards = createLeaderboards({ db, store: boardsStore, boards, index, cache, handles, registrations: deps.events, now });

  return {
    clock,
    actionTypes,
    actions,
    leaderboards,
    snapshots,
    homeStats,
    /** Rank reads with the PostgreSQL fallback, for tests and benches. */
    index,
    ensureBoard: boards.ensureBoard,
    /** The board's definition, or undefined when there is no such board. */
    findBoard: boards.find,
    submitScores: boards.submitScores,

    /** Creates `global`, loads every board's current period into the rank index, starts snapshots. */
    async start(): Promise<void> {
      await boards.ensureBoard(GLOBAL_BOARD);
      for (const view of await leaderboards.list({ fresh: true })) await index.ready(view.name, view.period);
      snapshots.start();
    },

    async close(): Promise<void> {
      await actions.close();
      await snapshots.close();
      live.close();
      homeStats.close();
      await index.idle();
    },
  };
}

export type ScoringService = ReturnType<typeof createScoringService>;
