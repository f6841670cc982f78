// HTTP for category rankings.
import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Uuid, withProblems } from '../../../http/schemas.js';
import { Category, RankingStatsSchema } from '../schemas.js';
import type { RankingsService } from './service.js';

const CategoryParams = Type.Object({ category: Category });

export const rankingsRoutes =
  (service: RankingsService): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.post(
      '/api/rankings',
      {
        config: { rateLimit: 'product-rankings', auth: 'user' },
        schema: {
          tags: ['rankings'],
          summary: 'Rank products of a category, best first; replaces my previous ranking of it',
          body: Type.Object(
            {
              category: Category,
              order: Type.Array(Uuid, { minItems: 1, maxItems: 200, description: 'Product ids of the category, each at most once' }),
            },
            { additionalProperties: false },
          ),
          response: withProblems(
            { 200: Type.Object({ category: Type.String(), order: Type.Array(Uuid), replaced: Type.Boolean() }) },
            400,
            401,
            404,
            429,
          ),
        },
      },
      async (request) => service.submit(request.actor.id, request.body.category, request.body.order),
    );

    app.get(
      '/api/rankings/:category',
      {
        schema: {
          tags: ['rankings'],
          summary: 'Ranking stats of every product of a category, best first (cached 30 minutes); live on board:ranking:<category>',
          params: CategoryParams,
          response: withProblems(
            {
              200: Type.Object({
                category: Type.String(),
                rankers: Type.Integer({ description: 'Users with a current ranking of this category' }),
                items: Type.Array(Type.Object({ productId: Uuid, slug: Type.String(), name: Type.String(), ...RankingStatsSchema.properties })),
              }),
            },
            400,
            404,
          ),
        },
      },
      async (request, reply) => {
        const { stats, cached } = await service.categoryStats(request.params.category);
        reply.header('x-cache', cached ? 'HIT' : 'MISS');
        return stats;
      },
    );

    app.get(
      '/api/rankings/:category/me',
      {
        config: { auth: 'user' },
        schema: {
          tags: ['rankings'],
          summary: 'My current ranking of a category, or null',
          params: CategoryParams,
          response: withProblems({ 200: Type.Object({ category: Type.String(), order: Type.Union([Type.Array(Uuid), Type.Null()]) }) }, 400, 401),
        },
      },
      async (request) => ({ category: request.params.category, order: await service.myRanking(request.actor.id, request.params.category) }),
    );
  };
