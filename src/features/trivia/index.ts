// The trivia feature: quizzes, live and async games on the durable schedule, batched answers.
import type { Logger } from 'pino';
import type { AnswerLedger } from '../../platform/answer-ledger/port.js';
import type { Db } from '../../platform/db/client.js';
import type { Metrics } from '../../platform/metrics.js';
import type { Push } from '../../platform/push/port.js';
import type { RankIndex } from '../../platform/rank-index/port.js';
import type { RateLimiter, RateLimitPolicyDefinition } from '../../platform/rate-limit/port.js';
import { isUuid } from '../../domain/ids.js';
import { isAppError } from '../../errors.js';
import type { ChannelAuthorizer } from '../../platform/push/port.js';
import type { Feature } from '../feature.js';
import { createAnswersService } from './answers/service.js';
import { createAnswersStore } from './answers/store.js';
import { createMatcher } from './answers/matching.js';
import type { ScoreFeed } from './games/feed.js';
import { createLive } from './games/live.js';
import { createTriviaScheduler } from './games/scheduler.js';
import { createGamesService } from './games/service.js';
import { createGamesStore } from './games/store.js';
import { createQuizzesService } from './quizzes/service.js';
import { createQuizzesStore } from './quizzes/store.js';
import { triviaRoutes } from './routes.js';
import { createTriviaService, type TriviaService } from './service.js';

export type { TriviaService } from './service.js';
import { createTriviaStats, type TriviaStats } from './stats.js';

const STATS_REFRESH_MS = 5_000;

export interface TriviaFeatureDeps {
  db: Db;
  push: Push;
  rankIndex: RankIndex;
  answerLedger: AnswerLedger;
  /** Scoring, for games whose points feed an action type. */
  feed: ScoreFeed;
  rateLimiter: RateLimiter;
  log: Logger;
  metrics: Metrics;
  /** The server's clock in epoch ms; tests inject one to place answers exactly on a window's edges. */
  clock: () => number;
  /** Per user; undefined when rate limits are off. */
  answerRateLimit: Omit<RateLimitPolicyDefinition, 'name'> | undefined;
  tickMs: number;
  batch: { maxItems: number; maxWaitMs: number };
  /** Worker threads for text and number matching; 0 matches inline. */
  matchingThreads: number;
}

export interface TriviaFeature extends Feature<TriviaService> {
  stats: TriviaStats;
  /** Runs every due game move now (tests, and after a restart). */
  tick(): Promise<void>;
}

export function createTriviaFeature(deps: TriviaFeatureDeps): TriviaFeature {
  const { db, push, rankIndex, rateLimiter, log, clock } = deps;
  const gamesStore = createGamesStore(db);
  const stats = createTriviaStats({ metrics: deps.metrics, clock, liveCounts: () => gamesStore.liveCounts() });
  const live = createLive({ store: gamesStore, push, rankIndex, log, clock, stats });
  const scheduler = createTriviaScheduler({
    tickMs: deps.tickMs,
    clock,
    log,
    due: (now) => gamesStore.due(now),
    run: (gameId) => games.runDue(gameId),
  });
  const games = createGamesService({
    store: gamesStore,
    live,
    rankIndex,
    log,
    clock,
    onDue: scheduler.schedule,
    onEnded: (gameId) => void answers.forget(gameId),
    feed: deps.feed,
    batch: deps.batch,
  });
  const answers = createAnswersService({
    store: createAnswersStore(db),
    ledger: deps.answerLedger,
    matcher: createMatcher(deps.matchingThreads),
    log,
    rateLimiter,
    rateLimit: deps.answerRateLimit && { name: 'trivia-answers', ...deps.answerRateLimit },
    questionsOf: games.questionsOf,
    onStored: (gameId, seq) => {
      stats.answered();
      live.answered(gameId, seq);
    },
    clock,
    batch: deps.batch,
  });
  // Keeps the sampled gauges (live games, players) fresh for /metrics between admin reads.
  const statsTimer = setInterval(
    () => void stats.snapshot().catch((error: unknown) => log.warn({ err: error }, 'could not refresh trivia stats')),
    STATS_REFRESH_MS,
  ).unref();
  const service = createTriviaService({ quizzes: createQuizzesService(createQuizzesStore(db)), games, answers });
  return {
    service,
    stats,
    routes: triviaRoutes(service, stats),
    tick: scheduler.tick,
    channels: gameChannels(games),
    // A restart resumes what the database says is due.
    start: () => scheduler.tick(),
    close: async () => {
      clearInterval(statsTimer);
      await scheduler.close();
      await answers.close();
      await games.close();
      live.close();
    },
  };
}

/**
 * Players (any token) follow game:<id>; the big screen follows board:trivia:<id> without one.
 * Both only for a game that exists. 10,000 players subscribe within seconds: known ids are kept.
 */
function gameChannels(games: { get(id: string): Promise<unknown> }): Record<string, ChannelAuthorizer> {
  const known = new Set<string>();
  const existing = async (gameId: string): Promise<{ id: string } | 'missing'> => {
    const id = gameId.toLowerCase();
    if (known.has(id)) return { id };
    if (!isUuid(id)) return 'missing';
    try {
      await games.get(id);
    } catch (error) {
      if (isAppError(error) && error.code === 'NOT_FOUND') return 'missing';
      throw error;
    }
    if (known.size >= 10_000) known.clear();
    known.add(id);
    return { id };
  };
  return {
    game: async (subscriber, gameId) => subscriber !== undefined && existing(gameId),
    'board:trivia': (_subscriber, gameId) => existing(gameId),
  };
}
