// HTTP for quizzes (organizers): CRUD, and JSON export/import for sharing.
import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Uuid, withProblems } from '../../../http/schemas.js';
import { ORGANIZERS } from '../../../domain/accounts.js';
import { QuizBody, QuizExportSchema, QuizImport, QuizPatch, QuizSchema } from '../schemas.js';
import type { QuizzesService } from './service.js';

const Params = Type.Object({ id: Uuid });
const tags = ['trivia'];

export const quizzesRoutes =
  (service: QuizzesService): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.post(
      '/api/quizzes',
      {
        config: { auth: ORGANIZERS },
        schema: {
          tags,
          summary: 'Create a quiz (organizer)',
          body: QuizBody,
          response: withProblems({ 201: Type.Object({ quiz: QuizSchema }) }, 400, 401, 403),
        },
      },
      async (request, reply) => reply.code(201).send({ quiz: await service.create(request.actor, request.body) }),
    );

    app.get(
      '/api/quizzes',
      {
        config: { auth: ORGANIZERS },
        schema: {
          tags,
          summary: 'My quizzes, newest first',
          response: withProblems({ 200: Type.Object({ quizzes: Type.Array(QuizSchema) }) }, 401, 403),
        },
      },
      async (request) => ({ quizzes: await service.list(request.actor) }),
    );

    app.get(
      '/api/quizzes/:id',
      {
        config: { auth: ORGANIZERS },
        schema: {
          tags,
          summary: 'One of my quizzes, answers included',
          params: Params,
          response: withProblems({ 200: Type.Object({ quiz: QuizSchema }) }, 400, 401, 403, 404),
        },
      },
      async (request) => ({ quiz: await service.get(request.actor, request.params.id) }),
    );

    app.patch(
      '/api/quizzes/:id',
      {
        config: { auth: ORGANIZERS },
        schema: {
          tags,
          summary: 'Change the title or replace the questions; games already created keep their copy',
          params: Params,
          body: QuizPatch,
          response: withProblems({ 200: Type.Object({ quiz: QuizSchema }) }, 400, 401, 403, 404),
        },
      },
      async (request) => ({ quiz: await service.update(request.actor, request.params.id, request.body) }),
    );

    app.delete(
      '/api/quizzes/:id',
      {
        config: { auth: ORGANIZERS },
        schema: {
          tags,
          summary: 'Delete a quiz; its games keep running',
          params: Params,
          response: withProblems({ 204: Type.Null() }, 400, 401, 403, 404),
        },
      },
      async (request, reply) => {
        await service.delete(request.actor, request.params.id);
        return reply.code(204).send(null);
      },
    );

    app.get(
      '/api/quizzes/:id/export',
      {
        config: { auth: ORGANIZERS },
        schema: {
          tags,
          summary: 'The quiz as shareable JSON',
          params: Params,
          response: withProblems({ 200: QuizExportSchema }, 400, 401, 403, 404),
        },
      },
      async (request) => service.export(request.actor, request.params.id),
    );

    app.post(
      '/api/quizzes/import',
      {
        config: { auth: ORGANIZERS },
        schema: {
          tags,
          summary: 'Create a quiz from exported JSON',
          body: QuizImport,
          response: withProblems({ 201: Type.Object({ quiz: QuizSchema }) }, 400, 401, 403),
        },
      },
      async (request, reply) => reply.code(201).send({ quiz: await service.import(request.actor, request.body) }),
    );
  };
