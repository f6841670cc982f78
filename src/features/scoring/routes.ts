// HTTP for scoring: the action and board sub-areas' routes, and the home page figures. Cached
// reads say where they came from in X-Cache (HIT or MISS).
import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Uuid } from '../../http/schemas.js';
import { actionsRoutes } from './actions/routes.js';
import { boardsRoutes } from './boards/routes.js';
import { cacheHeader } from './schemas.js';
import type { ScoringService } from './service.js';

export const scoringRoutes =
  (scoring: ScoringService): FastifyPluginAsyncTypebox =>
  async (app) => {
    await app.register(actionsRoutes(scoring));
    await app.register(boardsRoutes(scoring));

    app.get(
      '/api/stats/home',
      {
        schema: {
          tags: ['scoring'],
          summary: 'Home page figures (cached 5 min)',
          response: {
            200: Type.Object({
              users: Type.Integer(),
              actionsToday: Type.Integer({ description: 'Since midnight UTC' }),
              activeEvents: Type.Integer(),
              topPlayer: Type.Union([Type.Object({ userId: Uuid, handle: Type.String(), score: Type.Number() }), Type.Null()]),
            }),
          },
        },
      },
      async (_request, reply) => {
        const { value, hit } = await scoring.homeStats.get();
        return cacheHeader(reply, hit).send(value);
      },
    );
  };
