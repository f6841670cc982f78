// HTTP for the WhatsApp channel: the verification handshake and the signed webhook.
import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { withProblems } from '../../http/schemas.js';
import type { WhatsAppService } from './service.js';

export const whatsappRoutes =
  (service: WhatsAppService, bodyLimit: number): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/api/whatsapp/webhook',
      {
        config: { rateLimit: 'none' },
        schema: {
          tags: ['whatsapp'],
          summary: 'WhatsApp webhook verification: echoes hub.challenge when hub.verify_token matches',
          querystring: Type.Object({
            'hub.mode': Type.Optional(Type.String({ maxLength: 32 })),
            'hub.verify_token': Type.Optional(Type.String({ maxLength: 256 })),
            'hub.challenge': Type.Optional(Type.String({ maxLength: 256 })),
          }),
          response: withProblems(
            { 200: { description: 'The hub.challenge, as sent', content: { 'text/plain': { schema: Type.String() } } } },
            400,
            403,
          ),
        },
      },
      async (request, reply) => reply.type('text/plain').send(service.verifySubscription(request.query)),
    );

    // Its own scope: the signature covers the exact bytes, so JSON is kept as a Buffer here.
    await app.register(async (scope) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit }, (_request, body, done) => done(null, body));
      scope.post(
        '/api/whatsapp/webhook',
        {
          // Meta delivers bursts from a few addresses; the signature check is the gate here.
          config: { rateLimit: 'none', idempotency: false },
          schema: {
            tags: ['whatsapp'],
            summary: 'WhatsApp webhook (X-Hub-Signature-256 signed): messages and delivery statuses, processed from the job queue',
            response: withProblems({ 200: Type.Object({ received: Type.Boolean() }) }, 400, 401, 415),
          },
        },
        async (request) => {
          const signature = request.headers['x-hub-signature-256'];
          await service.receive(request.body as Buffer, typeof signature === 'string' ? signature : undefined);
          return { received: true };
        },
      );
    });
  };
