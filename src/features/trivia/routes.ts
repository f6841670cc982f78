// Every trivia route: quizzes, then games and answers.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { gamesRoutes } from './games/routes.js';
import { quizzesRoutes } from './quizzes/routes.js';
import type { TriviaService } from './service.js';

export const triviaRoutes =
  (trivia: TriviaService): FastifyPluginAsyncTypebox =>
  async (app) => {
    await app.register(quizzesRoutes(trivia.quizzes));
    await app.register(gamesRoutes(trivia));
  };
