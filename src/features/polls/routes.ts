// HTTP for polls: parse, call the service, shape the answer.
import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Uuid, withProblems } from '../../http/schemas.js';
import type { PollsService } from './service.js';
import { ORGANIZERS } from '../../domain/accounts.js';

const ItemKey = Type.String({ pattern: '^[A-Za-z0-9_.-]+$', minLength: 1, maxLength: 64 });
const ItemSchema = Type.Object({ key: ItemKey, label: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false });
const PollSchema = Type.Object({
  id: Uuid,
  title: Type.String(),
  items: Type.Array(ItemSchema),
  voters: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }),
});
const ResultsSchema = Type.Object({
  pollId: Uuid,
  title: Type.String(),
  version: Type.Integer({ description: 'Grows with every ranking; the live push carries it too' }),
  voters: Type.Integer(),
  items: Type.Array(
    Type.Object({
      key: Type.String(),
      label: Type.String(),
      bordaScore: Type.Integer({ description: 'n-1 points per first place down to 0 per last, summed over voters' }),
      averagePosition: Type.Union([Type.Number({ description: '1-based' }), Type.Null()]),
    }),
    { description: 'Best first' },
  ),
});
const PollParams = Type.Object({ id: Uuid });

export const pollsRoutes =
  (service: PollsService): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.post(
      '/api/polls',
      {
        config: { auth: ORGANIZERS },
        schema: {
          tags: ['polls'],
          summary: 'Create a poll whose items users rank (organizer)',
          body: Type.Object(
            {
              title: Type.String({ minLength: 1, maxLength: 200 }),
              items: Type.Array(ItemSchema, { minItems: 2, maxItems: 100, description: 'Keys must be unique' }),
            },
            { additionalProperties: false },
          ),
          response: withProblems({ 201: Type.Object({ poll: PollSchema }) }, 400, 401, 403),
        },
      },
      async (request, reply) => reply.code(201).send({ poll: await service.create(request.actor.id, request.body) }),
    );

    app.get(
      '/api/polls/:id',
      {
        schema: {
          tags: ['polls'],
          summary: 'A poll and its items',
          params: PollParams,
          response: withProblems({ 200: Type.Object({ poll: PollSchema }) }, 400, 404),
        },
      },
      async (request) => ({ poll: await service.get(request.params.id) }),
    );

    app.post(
      '/api/polls/:id/rankings',
      {
        config: { rateLimit: 'poll-rankings', auth: 'user' },
        schema: {
          tags: ['polls'],
          summary: 'Rank every item of a poll, best first; replaces my previous ranking',
          params: PollParams,
          body: Type.Object(
            { order: Type.Array(ItemKey, { minItems: 1, maxItems: 100, description: 'Every item key exactly once' }) },
            { additionalProperties: false },
          ),
          response: withProblems(
            { 200: Type.Object({ pollId: Uuid, order: Type.Array(Type.String()), replaced: Type.Boolean() }) },
            400,
            401,
            404,
            429,
          ),
        },
      },
      async (request) => service.rank(request.params.id, request.actor.id, request.body.order),
    );

    app.get(
      '/api/polls/:id/results',
      {
        schema: {
          tags: ['polls'],
          summary: 'Borda scores, average positions and the number of voters; live on board:poll:<id> as poll-results',
          params: PollParams,
          response: withProblems({ 200: ResultsSchema }, 400, 404),
        },
      },
      async (request, reply) => {
        const { results, cached } = await service.results(request.params.id);
        reply.header('x-cache', cached ? 'HIT' : 'MISS');
        return results;
      },
    );
  };
