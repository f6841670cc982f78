// HTTP for action types and completions.
import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { sendStoredAnswer } from '../../../http/idempotency.js';
import { ref, Uuid, withProblems } from '../../../http/schemas.js';
import { ActionTypeBody, ActionTypeSchema, CompletionSchema, RulesSchema } from '../schemas.js';
import type { ScoringService } from '../service.js';
import { ORGANIZERS } from '../../../domain/accounts.js';
import { cacheHeader } from '../schemas.js';

export const actionsRoutes =
  (scoring: ScoringService): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.addSchema(RulesSchema);
    app.addSchema(ActionTypeSchema);
    app.addSchema(CompletionSchema);

    app.get(
      '/api/action-types',
      {
        config: { auth: 'user' },
        schema: {
          tags: ['scoring'],
          summary: 'List action types (cached 1 h, invalidated on change)',
          response: withProblems({ 200: Type.Object({ actionTypes: Type.Array(ref(ActionTypeSchema)) }) }, 401),
        },
      },
      async (_request, reply) => {
        const { value, hit } = await scoring.actionTypes.list();
        return cacheHeader(reply, hit).send({ actionTypes: value });
      },
    );

    app.post(
      '/api/action-types',
      {
        config: { auth: ORGANIZERS },
        schema: {
          tags: ['scoring'],
          summary: "Create an action type (organizer); scoring on an event or its board needs that event's organizer, on another board its creator",
          body: Type.Object(
            {
              key: ActionTypeBody.key,
              name: ActionTypeBody.name,
              baseScore: ActionTypeBody.baseScore,
              active: Type.Optional(ActionTypeBody.active),
              rules: Type.Optional(ActionTypeBody.rules),
            },
            { additionalProperties: false },
          ),
          response: withProblems({ 201: ref(ActionTypeSchema) }, 400, 401, 403, 409),
        },
      },
      async (request, reply) => reply.code(201).send(await scoring.actionTypes.create(request.actor, request.body)),
    );

    app.patch(
      '/api/action-types/:id',
      {
        config: { auth: ORGANIZERS },
        schema: {
          tags: ['scoring'],
          summary: 'Edit an action type (its creator or an admin); rules are replaced as a whole',
          params: Type.Object({ id: Uuid }),
          body: Type.Object(
            {
              name: Type.Optional(ActionTypeBody.name),
              baseScore: Type.Optional(ActionTypeBody.baseScore),
              active: Type.Optional(ActionTypeBody.active),
              rules: Type.Optional(ActionTypeBody.rules),
            },
            { additionalProperties: false, minProperties: 1 },
          ),
          response: withProblems({ 200: ref(ActionTypeSchema) }, 400, 401, 403, 404),
        },
      },
      async (request) => scoring.actionTypes.update(request.actor, request.params.id, request.body),
    );

    app.post(
      '/api/actions/complete',
      {
        config: { auth: 'user', idempotency: 'with-effect' },
        schema: {
          tags: ['scoring'],
          summary: 'Complete an action; a replayed identifier answers the original result with Idempotent-Replayed: true',
          body: Type.Object(
            {
              actionType: Type.String({ minLength: 1, maxLength: 64, description: 'The action type key' }),
              identifier: Type.String({ minLength: 1, maxLength: 200, description: 'Unique per user and action type: the idempotency key' }),
              metadata: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'At most 4 KB of JSON' })),
            },
            { additionalProperties: false },
          ),
          response: withProblems({ 200: ref(CompletionSchema) }, 400, 401, 404, 413, 422),
        },
      },
      async (request, reply) => {
        const answer = await scoring.actions.complete(request.actor.id, request.body, request.idempotencyTicket);
        if ('replay' in answer) return sendStoredAnswer(reply, answer.replay);
        if (answer.replayed) reply.header('idempotent-replayed', 'true');
        return reply.send(answer.body);
      },
    );
  };
