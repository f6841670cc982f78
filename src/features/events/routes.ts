// HTTP for events: management (organizers and admins), registrations, lottery and audit.
import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { requireUserId } from '../../http/auth.js';
import { sendStoredAnswer } from '../../http/idempotency.js';
import { ref, Uuid, withProblems } from '../../http/schemas.js';
import { toCsv } from './csv.js';
import {
  AuditEntrySchema,
  CreateEventBody,
  EventSchema,
  IdParams,
  Pagination,
  PatchEventBody,
  PriorityEntry,
  ProofSchema,
  RegistrationSchema,
  RegistrationStatusSchema,
} from './schemas.js';
import type { EventsService } from './service.js';
import type { RegistrationView } from './views.js';
import { ORGANIZERS } from '../../domain/accounts.js';

const CSV_COLUMNS: Array<[string, (row: RegistrationView & { handle?: string }) => unknown]> = [
  ['id', (r) => r.id],
  ['userId', (r) => r.userId],
  ['handle', (r) => r.handle],
  ['status', (r) => r.status],
  ['statusReason', (r) => r.statusReason],
  ['position', (r) => r.position],
  ['seq', (r) => r.seq],
  ['priorityGroup', (r) => r.priorityGroup],
  ['drawRank', (r) => r.drawRank],
  ['holdExpiresAt', (r) => r.holdExpiresAt],
  ['paymentStatus', (r) => r.paymentStatus],
  ['amountCents', (r) => r.amountCents],
  ['paidAt', (r) => r.paidAt],
  ['createdAt', (r) => r.createdAt],
];

const wantsCsv = (request: FastifyRequest) => /\btext\/csv\b/.test(request.headers.accept ?? '');

export const eventsRoutes =
  (service: EventsService): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.addSchema(EventSchema);
    app.addSchema(RegistrationSchema);
    app.addSchema(ProofSchema);

    const EventAnswer = Type.Object({ event: ref(EventSchema) });
    const RegistrationAnswer = Type.Object({ registration: ref(RegistrationSchema) });

    app.post(
      '/api/events',
      {
        config: { auth: ORGANIZERS },
        schema: {
          tags: ['events'],
          summary: 'Create an event (organizer or admin)',
          body: CreateEventBody,
          response: withProblems({ 201: EventAnswer }, 400, 401, 403, 409),
        },
      },
      async (request, reply) => reply.code(201).send({ event: await service.create(request.actor, request.body) }),
    );

    app.get(
      '/api/events',
      {
        schema: {
          tags: ['events'],
          summary: 'List events with live counts, newest first',
          querystring: Type.Object({ ...Pagination, mine: Type.Optional(Type.Boolean({ description: 'Only the events I created' })) }),
          response: withProblems({ 200: Type.Object({ events: Type.Array(ref(EventSchema)) }) }, 400, 401),
        },
      },
      async (request) => {
        const { limit = 50, offset = 0, mine } = request.query;
        return { events: await service.list({ limit, offset, createdBy: mine ? requireUserId(request) : undefined }) };
      },
    );

    app.get(
      '/api/events/:id',
      {
        schema: {
          tags: ['events'],
          summary: 'An event by id or slug, with live counts and status',
          params: IdParams,
          response: withProblems({ 200: EventAnswer }, 404),
        },
      },
      async (request) => ({ event: await service.get(request.params.id) }),
    );

    app.patch(
      '/api/events/:id',
      {
        config: { auth: ORGANIZERS },
        schema: {
          tags: ['events'],
          summary: 'Edit an event',
          params: IdParams,
          body: PatchEventBody,
          response: withProblems({ 200: EventAnswer }, 400, 401, 403, 404, 409, 422),
        },
      },
      async (request) => ({ event: await service.update(request.actor, request.params.id, request.body) }),
    );

    for (const [action, method] of [
      ['open', 'openRegistration'],
      ['close', 'closeRegistration'],
    ] as const) {
      app.post(
        `/api/events/:id/${action}`,
        {
          config: { auth: ORGANIZERS },
          schema: {
            tags: ['events'],
            summary: `${action === 'open' ? 'Open' : 'Close'} registration now`,
            params: IdParams,
            response: withProblems({ 200: EventAnswer }, 401, 403, 404, 409),
          },
        },
        async (request) => ({ event: await service[method](request.actor, request.params.id) }),
      );
    }

    const Priorities = Type.Object({
      priorities: Type.Array(Type.Object({ userId: Uuid, group: Type.String(), setAt: Type.String({ format: 'date-time' }) })),
    });
    app.put(
      '/api/events/:id/priority',
      {
        config: { auth: ORGANIZERS },
        schema: {
          tags: ['events'],
          summary: 'Put users in priority groups (null group removes)',

          params: IdParams,
          body: Type.Union([PriorityEntry, Type.Array(PriorityEntry, { minItems: 1, maxItems: 1000 })]),
          response: withProblems({ 200: Priorities }, 400, 401, 403, 404),
        },
      },
      async (request) => {
        const entries = Array.isArray(request.body) ? request.body : [request.body];
        return { priorities: await service.setPriorities(request.actor, request.params.id, entries) };
      },
    );

    app.get(
      '/api/events/:id/priority',
      {
        config: { auth: ORGANIZERS },
        schema: { tags: ['events'], summary: 'Priority assignments', params: IdParams, response: withProblems({ 200: Priorities }, 401, 403, 404) },
      },
      async (request) => ({ priorities: await service.priorities(request.actor, request.params.id) }),
    );

    app.post(
      '/api/events/:id/registrations',
      {
        config: { auth: 'user', idempotency: 'with-effect' },
        // No body at all means the same as {}: register myself.
        preValidation: async (request) => {
          request.body ??= {};
        },
        schema: {
          tags: ['registrations'],
          summary: 'Register (201), or get my existing registration (200)',
          description:
            'The body is optional. An organizer or admin may register someone else with `userId`. An event whose settings refuse guests answers 403 `GUESTS_NOT_ALLOWED` or `VERIFIED_EMAIL_REQUIRED`.',

          params: IdParams,
          body: Type.Object({ userId: Type.Optional(Uuid) }, { additionalProperties: false }),
          response: withProblems({ 200: RegistrationAnswer, 201: RegistrationAnswer }, 400, 401, 403, 404, 409),
        },
      },
      async (request, reply) => {
        const answer = await service.register(request.actor, request.params.id, request.body.userId, request.idempotencyTicket);
        if ('replay' in answer) return sendStoredAnswer(reply, answer.replay);
        return reply.code(answer.created ? 201 : 200).send({ registration: answer.registration });
      },
    );

    app.get(
      '/api/events/:id/registrations/me',
      {
        config: { auth: 'user' },
        schema: {
          tags: ['registrations'],
          summary: 'My registration with its live position',
          params: IdParams,
          response: withProblems({ 200: RegistrationAnswer }, 401, 404),
        },
      },
      async (request) => ({ registration: await service.myRegistration(request.actor.id, request.params.id) }),
    );

    app.delete(
      '/api/events/:id/registrations/me',
      {
        config: { auth: 'user' },
        schema: {
          tags: ['registrations'],
          summary: 'Cancel my registration (a paid one is refunded)',
          params: IdParams,
          response: withProblems({ 200: RegistrationAnswer }, 401, 404),
        },
      },
      async (request) => ({ registration: await service.cancelMine(request.actor.id, request.params.id) }),
    );

    app.get(
      '/api/events/:id/registrations',
      {
        config: { auth: ORGANIZERS },
        schema: {
          tags: ['registrations'],
          summary: 'List registrations (JSON, or CSV with Accept: text/csv)',
          description: 'CSV exports every matching row unless `limit` is given.',

          params: IdParams,
          querystring: Type.Object({ status: Type.Optional(RegistrationStatusSchema), limit: Pagination.limit, offset: Pagination.offset }),
          response: withProblems(
            {
              200: {
                description: 'The page as JSON, or every matching row as CSV',
                content: {
                  'application/json': { schema: Type.Object({ total: Type.Integer(), registrations: Type.Array(ref(RegistrationSchema)) }) },
                  'text/csv': { schema: Type.String({ description: 'A header row, then one row per registration' }) },
                },
              },
            },
            400,
            401,
            403,
            404,
          ),
        },
      },
      async (request, reply) => {
        const actor = request.actor;
        const { status, limit, offset = 0 } = request.query;
        if (wantsCsv(request)) {
          const { registrations } = await service.listRegistrations(actor, request.params.id, { status, limit, offset });
          const csv = toCsv(CSV_COLUMNS, registrations);
          // A string is sent as is; the JSON response schema only types (and serialises) objects.
          return reply
            .type('text/csv; charset=utf-8')
            .header('content-disposition', 'attachment; filename="registrations.csv"')
            .send(csv as never);
        }
        return service.listRegistrations(actor, request.params.id, { status, limit: limit ?? 50, offset });
      },
    );

    app.get(
      '/api/events/:id/lottery',
      {
        schema: {
          tags: ['lottery'],
          summary: 'The lottery commitment (sha256 of the secret seed), public from creation',
          params: IdParams,
          response: withProblems(
            {
              200: Type.Object({
                eventId: Uuid,
                algorithm: Type.String(),
                commitment: Type.String(),
                drawn: Type.Boolean(),
                drawnAt: Type.Union([Type.String(), Type.Null()]),
                entrants: Type.Integer(),
              }),
            },
            404,
            409,
          ),
        },
      },
      async (request) => service.lottery(request.params.id),
    );

    app.post(
      '/api/events/:id/draw',
      {
        config: { auth: ORGANIZERS },
        schema: {
          tags: ['lottery'],
          summary: 'Close entries and draw the lottery now',

          params: IdParams,
          response: withProblems({ 200: Type.Object({ event: ref(EventSchema), proof: ref(ProofSchema) }) }, 401, 403, 404, 409),
        },
      },
      async (request) => service.draw(request.actor, request.params.id),
    );

    app.get(
      '/api/events/:id/lottery/proof',
      {
        schema: {
          tags: ['lottery'],
          summary: 'The draw proof: seed, entrants, their hash and the order',
          params: IdParams,
          response: withProblems({ 200: ref(ProofSchema) }, 404, 409),
        },
      },
      async (request) => service.lotteryProof(request.params.id),
    );

    app.get(
      '/api/events/:id/pre-queue',
      {
        schema: {
          tags: ['lottery'],
          summary: 'The pre-queue shuffle commitment',
          params: IdParams,
          response: withProblems(
            { 200: Type.Object({ eventId: Uuid, algorithm: Type.String(), commitment: Type.String(), shuffled: Type.Boolean() }) },
            404,
            409,
          ),
        },
      },
      async (request) => service.preQueue(request.params.id),
    );

    app.get(
      '/api/events/:id/pre-queue/proof',
      {
        schema: {
          tags: ['lottery'],
          summary: 'The pre-queue shuffle proof (same shape as a lottery proof)',
          params: IdParams,
          response: withProblems({ 200: ref(ProofSchema) }, 404, 409),
        },
      },
      async (request) => service.preQueueProof(request.params.id),
    );

    app.get(
      '/api/events/:id/audit',
      {
        config: { auth: ORGANIZERS },
        schema: {
          tags: ['audit'],
          summary: 'The hash-chained audit log, oldest first; page with afterSeq',

          params: IdParams,
          querystring: Type.Object({
            afterSeq: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000, default: 1000 })),
          }),
          response: withProblems(
            { 200: Type.Object({ head: Type.Object({ seq: Type.Integer(), hash: Type.String() }), entries: Type.Array(AuditEntrySchema) }) },
            400,
            401,
            403,
            404,
          ),
        },
      },
      async (request) => {
        const { head, entries } = await service.audit(request.actor, request.params.id, request.query);
        return { head, entries: entries.map((entry) => ({ ...entry, at: entry.at.toISOString() })) };
      },
    );

    app.get(
      '/api/events/:id/audit/verify',
      {
        schema: {
          tags: ['audit'],
          summary: 'Recompute the audit hash chain',
          params: IdParams,
          response: withProblems(
            {
              200: Type.Object({
                ok: Type.Boolean(),
                entries: Type.Integer(),
                brokenAt: Type.Optional(Type.Integer()),
                reason: Type.Optional(Type.String()),
              }),
            },
            404,
          ),
        },
      },
      async (request) => service.verifyAudit(request.params.id),
    );
  };
