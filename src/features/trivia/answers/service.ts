// Answers: one per player per question, the same rules on the socket and over HTTP. Each answer
// is timed on arrival, checked for shape at once (400), then joins a batch that, in one
// transaction, checks the window under the game's shared lock, deduplicates and scores in one
// atomic step on the answer ledger, and inserts. The ack is sent after commit, so an
// acknowledged answer survives a crash; it says when the answer was received, never whether it
// was right.
import { AppError } from '../../../errors.js';
import type { AnswerChoice, Question } from '../../../domain/trivia.js';
import { createBatcher } from '../../../platform/batch.js';
import type { RateLimiter, RateLimitPolicyDefinition } from '../../../platform/rate-limit/port.js';
import { choiceProblem, sameChoice } from '../quizzes/rules.js';
import type { AnswerClaim, AnswerLedger } from '../../../platform/answer-ledger/port.js';
import type { Tx } from '../../../platform/db/client.js';
import type { Logger } from 'pino';
import { answerKey, firstAnswers } from './claims.js';
import type { Matcher } from './matching.js';
import { scoreAnswer } from './scoring.js';
import type { AnswersStore, GameWindow, PlayerAtAnswer, StoredAnswer } from './store.js';

export interface AnswerInput {
  gameId: string;
  questionId: number;
  choice: AnswerChoice;
}

export interface AnswerAck {
  gameId: string;
  questionId: number;
  receivedAt: string;
  /** True when this repeats an answer already received (a retry); the first receipt time is given. */
  replayed: boolean;
}

interface Pending extends AnswerInput {
  userId: string;
  question: Question;
  receivedAt: number;
}

export interface AnswersDeps {
  store: AnswersStore;
  /** The atomic first-answer step: Redis when REDIS_URL is set, in process otherwise. */
  ledger: AnswerLedger;
  /** Text and number matching, inline or on a worker pool. */
  matcher: Matcher;
  log: Logger;
  rateLimiter: RateLimiter;
  /** Per user, on both transports; undefined when rate limits are off. */
  rateLimit: RateLimitPolicyDefinition | undefined;
  /** A game's questions (they never change once the game exists); undefined for an unknown game. */
  questionsOf: (gameId: string) => Promise<Question[] | undefined>;
  /** Called once per newly stored answer, after commit. */
  onStored: (gameId: string, seq: number) => void;
  clock: () => number;
  batch: { maxItems: number; maxWaitMs: number };
  onBatch?: (size: number) => void;
}

/** Why an answer received at `receivedAt` does not count, or undefined when it is inside its window. */
function windowError(game: GameWindow, player: PlayerAtAnswer, seq: number, question: Question, receivedAt: number): AppError | undefined {
  const { graceMs } = game.settings;
  const limitMs = question.timeLimitSec * 1000;
  if (game.status === 'lobby') return new AppError('QUESTION_NOT_OPEN', 'The game has not started');
  if (game.status === 'ended') return new AppError('ANSWER_TOO_LATE', 'The game has ended');
  if (game.mode === 'async') {
    if (seq > player.asyncSeq || player.asyncSentAt === null)
      return new AppError('QUESTION_NOT_OPEN', `Question ${seq} has not been sent to you yet`);
    if (seq < player.asyncSeq || receivedAt > player.asyncSentAt + limitMs + graceMs)
      return new AppError('ANSWER_TOO_LATE', `Question ${seq} is closed`);
    return undefined;
  }
  if (seq > game.seq || game.status === 'paused') return new AppError('QUESTION_NOT_OPEN', `Question ${seq} is not open`);
  if (seq < game.seq || game.status !== 'question') return new AppError('ANSWER_TOO_LATE', `Question ${seq} is closed`);
  if (receivedAt < game.opensAt!) return new AppError('QUESTION_NOT_OPEN', `Question ${seq} opens at ${new Date(game.opensAt!).toISOString()}`);
  if (receivedAt > game.closesAt! + graceMs)
    return new AppError('ANSWER_TOO_LATE', `Question ${seq} closed at ${new Date(game.closesAt!).toISOString()}`);
  return undefined;
}

export function createAnswersService(deps: AnswersDeps) {
  const { store } = deps;

  /** The stored answer replayed, or a 409 when the new one differs. */
  const replay = (stored: StoredAnswer, item: Pending): AnswerAck | AppError =>
    sameChoice(stored.choice, item.choice)
      ? { gameId: item.gameId, questionId: item.questionId, receivedAt: new Date(stored.receivedAt).toISOString(), replayed: true }
      : new AppError('ALREADY_ANSWERED', `You already answered question ${item.questionId} differently`);

  /** Why an item gets no new answer (an error, or the replay of one already stored), or the answer scored. */
  function judge(
    item: Pending,
    correct: boolean,
    game: GameWindow | undefined,
    player: PlayerAtAnswer | undefined,
    existing: Map<string, StoredAnswer>,
  ) {
    if (!game) return new AppError('NOT_FOUND', `No game ${item.gameId}`);
    if (!player) return new AppError('NOT_IN_GAME', 'Join the game before answering');
    const earlier = existing.get(answerKey(item.gameId, item.questionId, player.id));
    if (earlier) return replay(earlier, item);
    const refused = windowError(game, player, item.questionId, item.question, item.receivedAt);
    if (refused) return refused;
    const opensAt = game.mode === 'async' ? player.asyncSentAt! : game.opensAt!;
    const answer: StoredAnswer = {
      gameId: item.gameId,
      seq: item.questionId,
      playerId: player.id,
      choice: item.choice,
      receivedAt: item.receivedAt,
      correct,
      points: scoreAnswer({
        correct,
        points: item.question.points,
        elapsedMs: item.receivedAt - opensAt,
        limitMs: item.question.timeLimitSec * 1000,
        streak: player.streak,
        streakBonus: game.settings.streakBonus,
      }),
    };
    return answer;
  }

  const ack = (item: Pending): AnswerAck => ({
    gameId: item.gameId,
    questionId: item.questionId,
    receivedAt: new Date(item.receivedAt).toISOString(),
    replayed: false,
  });

  /**
   * One transaction per batch: the games FOR SHARE (a close waits for it), players and stored
   * answers, then the ledger's atomic first-answer claim, then one insert of every first answer
   * the record lacks. The primary key stays the last word: a row another writer stored first
   * (Redis was down, or lost its data) is what the answer is judged against.
   */
  async function runBatch(items: Pending[]): Promise<Array<AnswerAck | Error>> {
    const stored: Array<{ gameId: string; seq: number }> = [];
    const claimed: AnswerClaim[] = [];
    // Outside the transaction: matching needs no row, and a pool's round trip must not hold locks.
    const correctness = await deps.matcher.correct(items.map((item) => [item.question, item.choice]));
    const work = async (tx: Tx) => {
      stored.length = 0;
      const games = await store.games(tx, [...new Set(items.map((item) => item.gameId))]);
      const players = await store.players(
        tx,
        items.map((item) => [item.gameId, item.userId]),
      );
      const playerOf = (item: Pending) => players.get(`${item.gameId}/${item.userId}`);
      const known = items.flatMap((item) => {
        const player = playerOf(item);
        return player ? [{ gameId: item.gameId, seq: item.questionId, playerId: player.id }] : [];
      });
      const existing = known.length > 0 ? await store.existing(tx, known) : new Map<string, StoredAnswer>();
      const judged = items.map((item, index) => judge(item, correctness[index]!, games.get(item.gameId), playerOf(item), existing));
      const candidates = judged.filter((result): result is StoredAnswer => !(result instanceof AppError) && !('replayed' in result));
      const firsts = await firstAnswers(deps.ledger, candidates, claimed, deps.log);
      // One row per key: the first of the batch (without the ledger, two answers of one player can both look first).
      const toWrite = new Map<string, StoredAnswer>();
      for (const answer of firsts) {
        const key = answerKey(answer.gameId, answer.seq, answer.playerId);
        if (!toWrite.has(key)) toWrite.set(key, answer);
      }
      const inserted = await store.insert(tx, [...toWrite.values()]);
      const raced = [...toWrite.keys()].filter((key) => !inserted.has(key));
      const record =
        raced.length > 0
          ? await store.existing(
              tx,
              raced.map((key) => toWrite.get(key)!),
            )
          : new Map<string, StoredAnswer>();
      for (const key of inserted) stored.push(toWrite.get(key)!);
      return judged.map((result, index) => {
        if (result instanceof AppError || 'replayed' in result) return result;
        const item = items[index]!;
        const key = answerKey(result.gameId, result.seq, result.playerId);
        const first = record.get(key) ?? toWrite.get(key)!;
        // Ours even when another instance wrote it: it met our claim in the ledger and stored it first.
        const ours = first === result || (first.receivedAt === result.receivedAt && sameChoice(first.choice, result.choice));
        return ours ? ack(item) : replay(first, item);
      });
    };
    try {
      const results = await store.transaction(work);
      for (const { gameId, seq } of stored) deps.onStored(gameId, seq);
      return results;
    } catch (error) {
      // Nothing was acknowledged: free this batch's claims so a retry is judged afresh.
      await deps.ledger.release(claimed).catch((releaseError: unknown) => deps.log.warn({ err: releaseError }, 'could not release answer claims'));
      throw error;
    }
  }

  const batcher = createBatcher<Pending, AnswerAck>({
    name: 'trivia-answers',
    run: runBatch,
    maxItems: deps.batch.maxItems,
    maxWaitMs: deps.batch.maxWaitMs,
    onBatch: deps.onBatch,
  });

  return {
    async submit(userId: string, input: AnswerInput): Promise<AnswerAck> {
      const receivedAt = deps.clock();
      const questions = await deps.questionsOf(input.gameId);
      if (!questions) throw new AppError('NOT_FOUND', `No game ${input.gameId}`);
      const question = questions[input.questionId];
      if (!question) throw invalid('/questionId', `questionId must be from 0 to ${questions.length - 1}`);
      const problem = choiceProblem(question, input.choice);
      if (problem) throw invalid('/choice', problem);
      const { rateLimit } = deps;
      // The limiter protects us; it must never be the reason an answer fails.
      const decision = rateLimit && (await deps.rateLimiter.consume(rateLimit, userId).catch(() => undefined));
      if (rateLimit && decision && !decision.allowed) {
        throw new AppError(
          'RATE_LIMITED',
          `At most ${rateLimit.points} answers per ${rateLimit.durationSeconds}s`,
          {},
          { 'retry-after': String(Math.max(1, decision.resetSeconds)) },
        );
      }
      return batcher.add({ ...input, userId, question, receivedAt });
    },

    /** A game that ended takes no more answers: its claims can go. */
    forget: (gameId: string) =>
      deps.ledger.drop(gameId).catch((error: unknown) => deps.log.warn({ err: error, gameId }, 'could not drop answer claims')),

    close: async () => {
      await batcher.close();
      await deps.matcher.close();
    },
  };
}

function invalid(field: string, message: string): AppError {
  return new AppError('VALIDATION_FAILED', message, { errors: [{ field, message }] });
}

export type AnswersService = ReturnType<typeof createAnswersService>;
