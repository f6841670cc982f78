// Live figures for operators, kept in the platform's metrics so /metrics and
// GET /api/admin/game-stats read the same numbers: live games and players (from the record),
// sockets, answers per second over the last 10 s, and the last question's push and results times.
import type { Metrics } from '../../platform/metrics.js';

const WINDOW_MS = 10_000;

export interface TriviaStatsDeps {
  metrics: Metrics;
  clock: () => number;
  liveCounts: () => Promise<{ games: number; players: number }>;
}

export function createTriviaStats({ metrics, clock, liveCounts }: TriviaStatsDeps) {
  let stamps: number[] = [];
  const prune = () => {
    const since = clock() - WINDOW_MS;
    if (stamps.length > 0 && stamps[0]! < since) stamps = stamps.filter((stamp) => stamp >= since);
  };
  const gauge = async (name: string) => (await metrics.registry.getSingleMetric(name)?.get())?.values[0]?.value ?? null;

  return {
    answered(): void {
      metrics.triviaAnswers.inc();
      stamps.push(clock());
      if (stamps.length > 100_000) prune();
    },
    questionPushed(ms: number): void {
      metrics.triviaQuestionPush.set(ms / 1000);
    },
    resultsSent(ms: number): void {
      metrics.triviaResultsLatency.set(ms / 1000);
    },

    /** Refreshes the sampled gauges and returns every figure. */
    async snapshot() {
      prune();
      const { games, players } = await liveCounts();
      const answersPerSecond = stamps.length / (WINDOW_MS / 1000);
      metrics.triviaLiveGames.set(games);
      metrics.triviaPlayers.set(players);
      metrics.triviaAnswersPerSecond.set(answersPerSecond);
      const seconds = async (name: string) => {
        const value = await gauge(name);
        return value === null ? null : value * 1000;
      };
      return {
        liveGames: games,
        players,
        sockets: (await gauge('websocket_connections')) ?? 0,
        answersPerSecond,
        answersTotal: (await gauge('trivia_answers_total')) ?? 0,
        lastQuestionPushMs: await seconds('trivia_last_question_push_seconds'),
        lastResultsLatencyMs: await seconds('trivia_last_results_latency_seconds'),
      };
    },
  };
}

export type TriviaStats = ReturnType<typeof createTriviaStats>;
