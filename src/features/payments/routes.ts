// HTTP for payments: checkout, organizer mark-paid, and the Stripe webhook.
import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ref, Uuid, withProblems } from '../../http/schemas.js';
import { RegistrationSchema } from '../events/index.js';
import type { PaymentsService } from './service.js';
import { ORGANIZERS } from '../../domain/accounts.js';

const RegistrationParams = Type.Object({ id: Uuid });

export const paymentsRoutes =
  (service: PaymentsService, bodyLimit: number): FastifyPluginAsyncTypebox =>
  async (app) => {
    // The events feature's registration, as mark-paid answers it (each route plugin has its own schema scope).
    app.addSchema(RegistrationSchema);
    app.post(
      '/api/registrations/:id/checkout',
      {
        config: { auth: 'user' },
        schema: {
          tags: ['payments'],
          summary: 'Pay for my held registration: a checkout session that ends with the hold',
          params: RegistrationParams,
          response: withProblems(
            { 200: Type.Object({ url: Type.String(), sessionId: Type.String(), expiresAt: Type.String({ format: 'date-time' }) }) },
            400,
            401,
            403,
            404,
            409,
            502,
          ),
        },
      },
      async (request) => service.checkout(request.actor.id, request.params.id),
    );

    app.post(
      '/api/registrations/:id/mark-paid',
      {
        config: { auth: ORGANIZERS },
        schema: {
          tags: ['payments'],
          summary: 'Record a payment received outside Stampede (organizer of the event, or admin); idempotent',
          description:
            'A held registration becomes confirmed. An expired or cancelled one is confirmed if a spot is free, otherwise the payment is recorded and refunded (outcome "refund").',
          params: RegistrationParams,
          response: withProblems(
            {
              200: Type.Object({
                outcome: Type.Union([Type.Literal('confirmed'), Type.Literal('already-paid'), Type.Literal('refund')]),
                registration: ref(RegistrationSchema),
              }),
            },
            400,
            401,
            403,
            404,
            409,
            502,
          ),
        },
      },
      async (request) => service.markPaid({ userId: request.actor.id, role: request.actor.role }, request.params.id),
    );

    // Its own scope: the signature covers the exact bytes, so JSON is kept as a Buffer here.
    await app.register(async (scope) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit }, (_request, body, done) => done(null, body));
      scope.post(
        '/api/payments/stripe/webhook',
        {
          // Stripe delivers bursts from a few addresses; the signature check is the gate here.
          config: { rateLimit: 'none' },
          schema: {
            tags: ['payments'],
            summary: 'Stripe webhook endpoint (signed; checkout.session.completed settles the registration)',
            response: withProblems({ 200: Type.Object({ received: Type.Boolean(), duplicate: Type.Boolean() }) }, 400, 404, 415),
          },
        },
        async (request) => service.receiveWebhook('stripe', request.body as Buffer, request.headers),
      );
    });
  };
