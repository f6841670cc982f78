// What a game pushes: each question once to the game's channel (leadMs before it opens, with
// the server's clock), answered counts to the screen at most 4 times a second, and at each close
// one results message for everyone plus one personal line per player. Never a push per answer.
import type { Logger } from 'pino';
import type { Question } from '../../../domain/trivia.js';
import { createCoalescer } from '../../../platform/push/coalescer.js';
import type { Push } from '../../../platform/push/port.js';
import type { RankIndex } from '../../../platform/rank-index/port.js';
import { gameBoard, gameChannel, screenChannel } from '../keys.js';
import type { TriviaStats } from '../stats.js';
import type { GameRow, GamesStore, Standing } from './store.js';

export const ANSWERED_PUSH_INTERVAL_MS = 250;
export const RESULTS_TOP = 10;

export interface QuestionView {
  gameId: string;
  seq: number;
  questionId: number;
  questionCount: number;
  text: string;
  kind: Question['kind'];
  options: string[];
  timeLimitSec: number;
  points: number;
  media?: string;
  /** Epoch ms, server clock: show the question at opensAt + (Date.now() - serverNow) on the client's clock. */
  opensAt: number;
  closesAt: number;
  serverNow: number;
}

/** The question as players see it: never its answer. */
export function questionView(game: GameRow, seq: number, opensAt: number, closesAt: number, serverNow: number): QuestionView {
  const question = game.questions[seq]!;
  return {
    gameId: game.id,
    seq,
    questionId: seq,
    questionCount: game.questions.length,
    text: question.text,
    kind: question.kind,
    options: question.options ?? [],
    timeLimitSec: question.timeLimitSec,
    points: question.points,
    ...(question.media ? { media: question.media } : {}),
    opensAt,
    closesAt,
    serverNow,
  };
}

/** How many answers chose each distinct choice, and whether it was right: what a results message is built from. */
export interface ChoiceTally {
  choice: unknown;
  correct: boolean;
  count: number;
}

/** Per option, how many answers chose it (a multi answer counts for each option it chose); null for text and number questions. */
function optionCounts(question: Question, tallies: ChoiceTally[]): number[] | null {
  if (question.kind !== 'choice' && question.kind !== 'multi') return null;
  const counts = (question.options ?? []).map(() => 0);
  for (const { choice, count } of tallies) for (const index of Array.isArray(choice) ? choice : [choice]) counts[index as number]! += count;
  return counts;
}

export type TopEntry = Pick<Standing, 'userId' | 'nickname' | 'score' | 'rank'>;

/**
 * A closed question's results: the question, the counts per option, the correct answer and the top 10. Built
 * once at close for the game's channels, and again for a big screen that loads while they show.
 */
export function resultsMessage(game: GameRow, seq: number, tallies: ChoiceTally[], top: TopEntry[]) {
  const question = game.questions[seq]!;
  return {
    gameId: game.id,
    seq,
    questionId: seq,
    text: question.text,
    options: question.options ?? [],
    correctAnswer: question.answer,
    counts: optionCounts(question, tallies),
    answered: tallies.reduce((sum, tally) => sum + tally.count, 0),
    correct: tallies.reduce((sum, tally) => sum + (tally.correct ? tally.count : 0), 0),
    top,
  };
}

export type ResultsMessage = ReturnType<typeof resultsMessage>;

export interface LiveDeps {
  store: GamesStore;
  push: Push;
  rankIndex: RankIndex;
  log: Logger;
  clock: () => number;
  stats: Pick<TriviaStats, 'questionPushed' | 'resultsSent'>;
}

export function createLive({ store, push, rankIndex, log, clock, stats }: LiveDeps) {
  const answered = createCoalescer<string>(
    ANSWERED_PUSH_INTERVAL_MS,
    async (key) => {
      const [gameId, seq] = key.split('/') as [string, string];
      const count = await store.answerCount(gameId, Number(seq));
      push.toChannel(screenChannel(gameId), 'answered', { gameId, seq: Number(seq), count });
    },
    (error, key) => log.warn({ err: error, key }, 'could not push an answered count'),
  );

  /** Standings from the record, mirrored into the game's rank index. */
  async function standings(gameId: string) {
    const all = await store.standings(gameId);
    await rankIndex
      .replace(
        gameBoard(gameId),
        all.map((entry) => ({ member: entry.userId, score: entry.score, reachedAt: entry.reachedAt })),
      )
      .catch((error: unknown) => log.warn({ err: error, gameId }, 'could not refresh the game rank index'));
    return all;
  }

  const top = (all: Awaited<ReturnType<typeof standings>>): TopEntry[] =>
    all.slice(0, RESULTS_TOP).map(({ userId, nickname, score, rank }) => ({ userId, nickname, score, rank }));

  return {
    answered: (gameId: string, seq: number) => answered.schedule(`${gameId}/${seq}`),

    question(game: GameRow): void {
      const started = performance.now();
      const view = questionView(game, game.seq, game.opensAt!.getTime(), game.closesAt!.getTime(), clock());
      push.toChannel(gameChannel(game.id), 'question', view);
      push.toChannel(screenChannel(game.id), 'question', view);
      stats.questionPushed(performance.now() - started);
    },

    async results(game: GameRow, seq: number): Promise<void> {
      const [answers, all] = await Promise.all([store.answersOf(game.id, seq), standings(game.id)]);
      const byPlayer = new Map(answers.map((answer) => [answer.playerId, answer]));
      const message = resultsMessage(
        game,
        seq,
        answers.map(({ choice, correct }) => ({ choice, correct, count: 1 })),
        top(all),
      );
      push.toChannel(gameChannel(game.id), 'results', message);
      push.toChannel(screenChannel(game.id), 'results', message);
      push.toUsers(
        'result',
        all.map((entry) => {
          const answer = byPlayer.get(entry.playerId);
          const result = {
            gameId: game.id,
            seq,
            correct: answer?.correct ?? false,
            points: answer?.points ?? 0,
            score: entry.score,
            rank: entry.rank,
          };
          return [entry.userId, result];
        }),
      );
      if (game.closesAt) stats.resultsSent(clock() - game.closesAt.getTime());
    },

    async ended(game: GameRow): Promise<void> {
      const message = { gameId: game.id, top: top(await standings(game.id)) };
      push.toChannel(gameChannel(game.id), 'ended', message);
      push.toChannel(screenChannel(game.id), 'ended', message);
    },

    paused(game: GameRow): void {
      for (const channel of [gameChannel(game.id), screenChannel(game.id)]) push.toChannel(channel, 'paused', { gameId: game.id });
    },

    started(game: GameRow): void {
      for (const channel of [gameChannel(game.id), screenChannel(game.id)]) push.toChannel(channel, 'started', { gameId: game.id, mode: game.mode });
    },

    close: () => answered.close(),
  };
}

export type Live = ReturnType<typeof createLive>;
