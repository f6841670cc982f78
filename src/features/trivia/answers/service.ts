// Answers: one per player per question, the same rules on the socket and over HTTP. Each answer
// is timed on arrival, checked for shape at once (400), then joins a batch that, in one
// transaction, checks the window under the game's shared lock, deduplicates against what is
// stored, scores and inserts. The ack is sent after commit, so an acknowledged answer survives
// a crash; it says when the answer was received, never whether it was right.
import { AppError } from '../../../errors.js';
import type { AnswerChoice, Question } from '../../../domain/trivia.js';
import { createBatcher } from '../../../platform/batch.js';
import type { RateLimiter, RateLimitPolicyDefinition } from '../../../platform/rate-limit/port.js';
import { choiceProblem, isCorrect, sameChoice } from '../quizzes/rules.js';
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

const answerKey = (gameId: string, seq: number, playerId: string) => `${gameId}/${seq}/${playerId}`;

export function createAnswersService(deps: AnswersDeps) {
  const { store } = deps;

  /** The stored answer replayed, or a 409 when the new one differs. */
  const replay = (stored: StoredAnswer, item: Pending): AnswerAck | AppError =>
    sameChoice(stored.choice, item.choice)
      ? { gameId: item.gameId, questionId: item.questionId, receivedAt: new Date(stored.receivedAt).toISOString(), replayed: true }
      : new AppError('ALREADY_ANSWERED', `You already answered question ${item.questionId} differently`);

  async function runBatch(items: Pending[]): Promise<Array<AnswerAck | Error>> {
    const stored: Array<{ gameId: string; seq: number }> = [];
    const results = await store.transaction(async (tx) => {
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
      const fresh: StoredAnswer[] = [];
      const outcome: Array<AnswerAck | AppError> = items.map((item) => {
        const game = games.get(item.gameId);
        const player = playerOf(item);
        if (!game) return new AppError('NOT_FOUND', `No game ${item.gameId}`);
        if (!player) return new AppError('NOT_IN_GAME', 'Join the game before answering');
        const key = answerKey(item.gameId, item.questionId, player.id);
        const earlier = existing.get(key);
        if (earlier) return replay(earlier, item);
        const refused = windowError(game, player, item.questionId, item.question, item.receivedAt);
        if (refused) return refused;
        const opensAt = game.mode === 'async' ? player.asyncSentAt! : game.opensAt!;
        const correct = isCorrect(item.question, item.choice);
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
        // A second answer from the same player in this very batch is judged against the first.
        existing.set(key, answer);
        fresh.push(answer);
        return { gameId: item.gameId, questionId: item.questionId, receivedAt: new Date(item.receivedAt).toISOString(), replayed: false };
      });
      const inserted = await store.insert(tx, fresh);
      if (inserted.size === fresh.length) {
        stored.push(...fresh.map((answer) => ({ gameId: answer.gameId, seq: answer.seq })));
        return outcome;
      }
      // Another instance stored some first (the same player on two connections): judge those against what it stored.
      const raced = await store.existing(
        tx,
        fresh.filter((answer) => !inserted.has(answerKey(answer.gameId, answer.seq, answer.playerId))),
      );
      stored.push(...fresh.filter((answer) => inserted.has(answerKey(answer.gameId, answer.seq, answer.playerId))));
      return outcome.map((result, index) => {
        const item = items[index]!;
        const player = playerOf(item);
        const winner = player && raced.get(answerKey(item.gameId, item.questionId, player.id));
        return winner && !(result instanceof AppError) && !result.replayed ? replay(winner, item) : result;
      });
    });
    for (const { gameId, seq } of stored) deps.onStored(gameId, seq);
    return results;
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

    close: () => batcher.close(),
  };
}

function invalid(field: string, message: string): AppError {
  return new AppError('VALIDATION_FAILED', message, { errors: [{ field, message }] });
}

export type AnswersService = ReturnType<typeof createAnswersService>;
