// HTTP for leaderboards. Reading is open to anyone (a big screen needs no account); creating
// boards and setting scores is for organizers.
import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ref, Uuid, withProblems } from '../../../http/schemas.js';
import { BoardBody, BoardParam, BoardSchema, EntrySchema, MeSchema, PageSchema, PeriodQuery, cacheHeader } from '../schemas.js';
import type { ScoringService } from '../service.js';
import { ORGANIZERS } from '../../../domain/accounts.js';

export const boardsRoutes =
  (scoring: ScoringService): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.addSchema(BoardSchema);
    app.addSchema(EntrySchema);
    const { leaderboards } = scoring;

    app.get(
      '/api/leaderboards',
      {
        schema: {
          tags: ['leaderboards'],
          summary: 'List leaderboards with their current period',
          response: { 200: Type.Object({ leaderboards: Type.Array(ref(BoardSchema)) }) },
        },
      },
      async () => ({ leaderboards: await leaderboards.list() }),
    );

    app.post(
      '/api/leaderboards',
      {
        config: { auth: ORGANIZERS },
        schema: {
          tags: ['leaderboards'],
          summary: 'Create a leaderboard (organizer); idempotent for the same definition',
          body: BoardBody,
          response: withProblems({ 201: ref(BoardSchema) }, 400, 401, 403, 409),
        },
      },
      async (request, reply) => reply.code(201).send(await leaderboards.create(request.actor, request.body)),
    );

    app.get(
      '/api/leaderboards/:board',
      {
        schema: {
          tags: ['leaderboards'],
          summary: 'A page of a leaderboard (cached 1 min, invalidated by every change)',
          params: BoardParam,
          querystring: Type.Object({
            limit: Type.Integer({ minimum: 1, maximum: 100, default: 10 }),
            offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
            period: PeriodQuery,
          }),
          response: withProblems({ 200: PageSchema }, 400, 404),
        },
      },
      async (request, reply) => {
        const { value, hit } = await leaderboards.page(request.params.board, request.query);
        return cacheHeader(reply, hit).send(value);
      },
    );

    app.get(
      '/api/leaderboards/:board/me',
      {
        config: { auth: 'user' },
        schema: {
          tags: ['leaderboards'],
          summary: 'My rank and my neighbours on a leaderboard',
          params: BoardParam,
          querystring: Type.Object({ around: Type.Integer({ minimum: 0, maximum: 50, default: 5 }), period: PeriodQuery }),
          response: withProblems({ 200: MeSchema }, 400, 401, 404),
        },
      },
      async (request, reply) => {
        const { value, hit } = await leaderboards.me(request.params.board, request.actor.id, request.query);
        return cacheHeader(reply, hit).send(value);
      },
    );

    app.put(
      '/api/leaderboards/:board/scores/:userId',
      {
        config: { auth: ORGANIZERS },
        schema: {
          tags: ['leaderboards'],
          summary:
            "Set a user's score to exactly this value (the board's creator, the event's organizer for an event board, or an admin; on an event board the user must be a confirmed entrant)",
          params: Type.Object({ board: BoardParam.properties.board, userId: Uuid }),
          body: Type.Object({ score: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }) }, { additionalProperties: false }),
          response: withProblems(
            {
              200: Type.Object({
                board: Type.String(),
                period: Type.String(),
                userId: Uuid,
                score: Type.Number(),
                rank: Type.Union([Type.Integer(), Type.Null()]),
              }),
            },
            400,
            401,
            403,
            404,
            422,
          ),
        },
      },
      async (request) => leaderboards.setScore(request.actor, request.params.board, request.params.userId, request.body.score),
    );

    app.get(
      '/api/leaderboards/:board/snapshots',
      {
        schema: {
          tags: ['leaderboards'],
          summary: 'Saved top-N snapshots between from and to (default: the last 24 h)',
          params: BoardParam,
          querystring: Type.Object({
            from: Type.Optional(Type.String({ format: 'date-time' })),
            to: Type.Optional(Type.String({ format: 'date-time' })),
          }),
          response: withProblems(
            {
              200: Type.Object({
                board: Type.String(),
                from: Type.String({ format: 'date-time' }),
                to: Type.String({ format: 'date-time' }),
                snapshots: Type.Array(
                  Type.Object({ period: Type.String(), takenAt: Type.String({ format: 'date-time' }), entries: Type.Array(ref(EntrySchema)) }),
                ),
              }),
            },
            400,
            404,
          ),
        },
      },
      async (request) => {
        const { from, to } = request.query;
        return leaderboards.snapshots(request.params.board, from ? new Date(from) : undefined, to ? new Date(to) : undefined);
      },
    );

    app.get(
      '/api/me/scores',
      {
        config: { auth: 'user' },
        schema: {
          tags: ['leaderboards'],
          summary: 'My score on every board and period (cached 5 min, invalidated when it changes)',
          response: withProblems(
            { 200: Type.Object({ scores: Type.Array(Type.Object({ board: Type.String(), period: Type.String(), score: Type.Number() })) }) },
            401,
          ),
        },
      },
      async (request, reply) => {
        const { value, hit } = await leaderboards.myScores(request.actor.id);
        return cacheHeader(reply, hit).send(value);
      },
    );
  };
