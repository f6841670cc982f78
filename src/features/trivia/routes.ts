// Every trivia route: quizzes, then games and answers.
import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { withProblems } from '../../http/schemas.js';
import type { TriviaStats } from './stats.js';
import { gamesRoutes } from './games/routes.js';
import { quizzesRoutes } from './quizzes/routes.js';
import type { TriviaService } from './service.js';

const GameStatsSchema = Type.Object({
  liveGames: Type.Integer(),
  players: Type.Integer({ description: 'Players in games not ended' }),
  sockets: Type.Integer({ description: 'Open Socket.IO connections on this instance' }),
  answersPerSecond: Type.Number({ description: 'Stored by this instance, over the last 10 s' }),
  answersTotal: Type.Integer({ description: 'Stored by this instance since it started' }),
  lastQuestionPushMs: Type.Union([Type.Number(), Type.Null()], { description: 'Handing the last question to the sockets and the adapter' }),
  lastResultsLatencyMs: Type.Union([Type.Number(), Type.Null()], { description: 'From the last close to its last personal result pushed' }),
});

export const triviaRoutes =
  (trivia: TriviaService, stats: TriviaStats): FastifyPluginAsyncTypebox =>
  async (app) => {
    await app.register(quizzesRoutes(trivia.quizzes));
    await app.register(gamesRoutes(trivia));
    app.get(
      '/api/admin/game-stats',
      {
        config: { rateLimit: 'admin', auth: ['admin'] },
        schema: {
          tags: ['ops'],
          summary: 'Live games, players, sockets, answers per second, and the last question push and results latency (admin); also in /metrics',
          response: withProblems({ 200: GameStatsSchema }, 401, 403),
        },
      },
      async () => stats.snapshot(),
    );
  };
