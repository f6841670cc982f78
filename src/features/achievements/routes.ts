// HTTP for achievements and streaks: parse, call the service, shape the answer.
import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { withProblems } from '../../http/schemas.js';
import { ConditionSchema } from './conditions.js';
import type { AchievementsService } from './service.js';
import { ORGANIZERS } from '../../domain/accounts.js';

const AchievementSchema = Type.Object({
  key: Type.String(),
  name: Type.String(),
  description: Type.String(),
  condition: ConditionSchema,
  createdAt: Type.String({ format: 'date-time' }),
});

const AwardSchema = Type.Object({
  key: Type.String(),
  name: Type.String(),
  description: Type.String(),
  awardedAt: Type.String({ format: 'date-time' }),
});

const Day = Type.String({ format: 'date', description: 'A calendar day in your UTC offset' });
const StreakSchema = Type.Object({
  current: Type.Integer({ description: '0 once a whole local day has passed without an action' }),
  longest: Type.Integer(),
  lastDay: Type.Union([Day, Type.Null()]),
  breaksAt: Type.Union([Type.String({ format: 'date-time', description: 'The end of the day after lastDay, in UTC' }), Type.Null()]),
});

export const achievementsRoutes =
  (service: AchievementsService): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.post(
      '/api/achievements',
      {
        config: { auth: ORGANIZERS },
        schema: {
          tags: ['achievements'],
          summary: 'Create an achievement (organizer)',
          body: Type.Object(
            {
              key: Type.String({ pattern: '^[A-Za-z0-9_.-]+$', minLength: 1, maxLength: 64 }),
              name: Type.String({ minLength: 1, maxLength: 100 }),
              description: Type.String({ maxLength: 1000 }),
              condition: ConditionSchema,
            },
            { additionalProperties: false },
          ),
          response: withProblems({ 201: Type.Object({ achievement: AchievementSchema }) }, 400, 401, 403, 409),
        },
      },
      async (request, reply) => reply.code(201).send({ achievement: await service.create(request.body) }),
    );

    app.get(
      '/api/achievements',
      {
        schema: {
          tags: ['achievements'],
          summary: 'Every achievement and what earns it',
          response: withProblems({ 200: Type.Object({ achievements: Type.Array(AchievementSchema) }) }),
        },
      },
      async () => ({ achievements: await service.list() }),
    );

    app.get(
      '/api/me/achievements',
      {
        config: { auth: 'user' },
        schema: {
          tags: ['achievements'],
          summary: 'The achievements I have earned, oldest first',
          response: withProblems({ 200: Type.Object({ achievements: Type.Array(AwardSchema) }) }, 401),
        },
      },
      async (request) => ({ achievements: await service.awardsOf(request.actor.id) }),
    );

    app.get(
      '/api/me/streaks',
      {
        config: { auth: 'user' },
        schema: {
          tags: ['achievements'],
          summary: 'My streaks: days in a row with at least one action, overall and per action type',
          response: withProblems(
            {
              200: Type.Object({
                utcOffsetMinutes: Type.Integer(),
                overall: StreakSchema,
                byActionType: Type.Record(Type.String(), StreakSchema),
                byActivity: Type.Record(Type.String(), StreakSchema, { description: 'Per activity kind, e.g. product.viewed' }),
              }),
            },
            401,
          ),
        },
      },
      async (request) => service.streaks(request.actor.id),
    );
  };
