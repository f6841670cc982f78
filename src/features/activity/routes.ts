// HTTP for the activity log.
import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { JsonObject, withProblems } from '../../http/schemas.js';
import type { ActivityService } from './service.js';

const ActivitySchema = Type.Object({
  id: Type.String(),
  kind: Type.String({ description: 'action.completed, achievement.awarded, ranking.submitted or registration' }),
  subject: Type.String({ description: 'The action type key, achievement key, category or event id' }),
  details: JsonObject('Depends on the kind'),
  createdAt: Type.String({ format: 'date-time' }),
});

export const activityRoutes =
  (service: ActivityService): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/api/me/activity',
      {
        config: { auth: 'user' },
        schema: {
          tags: ['activity'],
          summary: 'My activity, newest first; pass nextCursor as cursor for the next page',
          querystring: Type.Object(
            {
              cursor: Type.Optional(Type.String({ pattern: '^[0-9]{1,18}$' })),
              limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
            },
            { additionalProperties: false },
          ),
          response: withProblems(
            { 200: Type.Object({ items: Type.Array(ActivitySchema), nextCursor: Type.Union([Type.String(), Type.Null()]) }) },
            400,
            401,
          ),
        },
      },
      async (request) => service.page(request.actor.id, request.query.cursor, request.query.limit),
    );
  };
