// The trivia feature's service: quizzes, games and answers composed, and the calls every
// transport makes (HTTP routes, the socket's `answer` event, a messaging adapter in async mode).
import type { Actor } from '../../domain/accounts.js';
import type { GameMode, GameSettings } from '../../domain/trivia.js';
import type { AnswerAck, AnswerInput, AnswersService } from './answers/service.js';
import type { GamesService } from './games/service.js';
import type { QuizzesService } from './quizzes/service.js';

export interface TriviaParts {
  quizzes: QuizzesService;
  games: GamesService;
  answers: AnswersService;
}

export function createTriviaService({ quizzes, games, answers }: TriviaParts) {
  return {
    quizzes,
    games,

    async createGame(actor: Actor, quizId: string, mode: GameMode, settings: Partial<GameSettings>) {
      const quiz = await quizzes.questionsFor(actor, quizId);
      return games.create(actor, { id: quizId, ...quiz }, mode, settings);
    },

    /** Joins by pin as `actor` (a messaging adapter signs its players in as guests first). */
    join: (actor: Actor, pin: string, nickname: string) => games.join(actor, pin, nickname),

    /** One answer, from any transport; the ack is sent once it is committed. */
    answer: (userId: string, input: AnswerInput): Promise<AnswerAck> => answers.submit(userId, input),

    /** Async mode: the player's current question, sent (and its window started) on the first call. */
    currentQuestion: (userId: string, gameId: string) => games.currentAsync(userId, gameId),
  };
}

export type TriviaService = ReturnType<typeof createTriviaService>;
