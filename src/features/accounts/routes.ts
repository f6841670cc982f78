// HTTP for accounts: parse, call the service, shape the answer.
import { Type, type TBoolean } from 'typebox';
import { NOTIFICATION_KINDS, type NotificationKind } from '../../domain/notifications.js';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { claimsOf } from '../../http/auth.js';
import { literals, ref, Uuid, withProblems } from '../../http/schemas.js';
import { ROLES } from '../../domain/accounts.js';
import type { EmailLinks } from './email-link.js';
import type { AccountsService } from './service.js';

const UserSchema = Type.Object(
  {
    id: Uuid,
    handle: Type.String(),
    email: Type.Union([Type.String(), Type.Null()]),
    role: literals(ROLES),
    isGuest: Type.Boolean(),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'User' },
);
const UtcOffset = Type.Integer({
  minimum: -720,
  maximum: 840,
  description: 'Minutes east of UTC (UTC-12:00 to UTC+14:00); where your day starts for streaks and daily limits',
});
const notificationSwitches = Object.fromEntries(NOTIFICATION_KINDS.map((kind) => [kind, Type.Boolean()])) as Record<NotificationKind, TBoolean>;
const SettingsSchema = Type.Object(
  {
    utcOffsetMinutes: UtcOffset,
    notifications: Type.Object(notificationSwitches, { additionalProperties: false, description: 'Which notifications you receive (email)' }),
  },
  { $id: 'Settings', additionalProperties: false },
);
const SettingsChangeSchema = Type.Object(
  {
    utcOffsetMinutes: UtcOffset,
    notifications: Type.Optional(
      Type.Partial(Type.Object(notificationSwitches), { additionalProperties: false, description: 'Only the switches to change' }),
    ),
  },
  { additionalProperties: false },
);
const SessionSchema = Type.Object({ user: ref(UserSchema), token: Type.String() });

const Handle = Type.String({ minLength: 3, maxLength: 32, pattern: '^[\\p{L}\\p{N}_.-]+$', description: 'Letters, digits, _ . -' });
const Email = Type.String({ format: 'email', maxLength: 254 });
const Password = Type.String({ minLength: 8, maxLength: 128 });

export const accountsRoutes =
  (service: AccountsService, links: EmailLinks): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.addSchema(UserSchema);
    app.addSchema(SettingsSchema);
    // These issue session tokens: rate-limited per IP, and never stored for idempotent replay.
    const authLimited = { rateLimit: 'auth' as const, idempotency: false };

    app.post(
      '/api/auth/signup',
      {
        config: authLimited,
        schema: {
          tags: ['accounts'],
          summary: 'Create an account',
          body: Type.Object({ handle: Handle, email: Email, password: Password }, { additionalProperties: false }),
          response: withProblems({ 201: SessionSchema }, 400, 409, 429),
        },
      },
      async (request, reply) => reply.code(201).send(await service.signup(request.body)),
    );

    app.post(
      '/api/auth/login',
      {
        config: authLimited,
        schema: {
          tags: ['accounts'],
          summary: 'Log in with email and password',
          body: Type.Object(
            { email: Type.String({ minLength: 1, maxLength: 254 }), password: Type.String({ minLength: 1, maxLength: 128 }) },
            { additionalProperties: false },
          ),
          response: withProblems({ 200: SessionSchema }, 400, 401, 429),
        },
      },
      async (request) => service.login(request.body),
    );

    app.post(
      '/api/auth/email-link',
      {
        config: authLimited,
        schema: {
          tags: ['accounts'],
          summary: 'Email a one-time sign-in link (15 minutes, once); the answer is the same whether or not the address has an account',
          body: Type.Object({ email: Email }, { additionalProperties: false }),
          response: withProblems({ 202: Type.Object({ sent: Type.Literal(true) }) }, 400, 429),
        },
      },
      async (request, reply) => {
        await links.requestEmailLink(request.body);
        return reply.code(202).send({ sent: true });
      },
    );

    app.post(
      '/api/auth/email-link/verify',
      {
        config: authLimited,
        schema: {
          tags: ['accounts'],
          summary: 'Exchange a sign-in link token for a session',
          body: Type.Object({ token: Type.String({ minLength: 1, maxLength: 128 }) }, { additionalProperties: false }),
          response: withProblems({ 200: SessionSchema }, 400, 401, 429),
        },
      },
      async (request) => links.verifyEmailLink(request.body),
    );

    app.post(
      '/api/auth/guest',
      {
        config: authLimited,
        schema: {
          tags: ['accounts'],
          summary: 'Create a guest account for a one-tap join',
          body: Type.Object({ nickname: Type.String({ minLength: 1, maxLength: 24 }) }, { additionalProperties: false }),
          response: withProblems({ 201: SessionSchema }, 400, 429),
        },
      },
      async (request, reply) => reply.code(201).send(await service.guest(request.body)),
    );

    app.post(
      '/api/auth/logout',
      {
        config: { auth: 'user' },
        schema: {
          tags: ['accounts'],
          summary: 'End this session: the token presented stops working at once',
          response: withProblems({ 204: Type.Null() }, 401),
        },
      },
      async (request, reply) => {
        await service.logout(claimsOf(request));
        return reply.code(204).send(null);
      },
    );

    app.post(
      '/api/auth/logout-all',
      {
        config: { auth: 'user' },
        schema: {
          tags: ['accounts'],
          summary: 'End every session of this account, on every device',
          response: withProblems({ 204: Type.Null() }, 401),
        },
      },
      async (request, reply) => {
        await service.logoutEverywhere(request.actor.id);
        return reply.code(204).send(null);
      },
    );

    app.get(
      '/api/me',
      {
        config: { auth: 'user' },
        schema: {
          tags: ['accounts'],
          summary: 'The current user',
          response: withProblems({ 200: Type.Object({ user: ref(UserSchema) }) }, 401),
        },
      },
      async (request) => ({ user: await service.me(request.actor.id) }),
    );

    app.get(
      '/api/me/settings',
      {
        config: { auth: 'user' },
        schema: {
          tags: ['accounts'],
          summary: 'My settings',
          response: withProblems({ 200: ref(SettingsSchema) }, 401, 404),
        },
      },
      async (request) => service.settings(request.actor.id),
    );

    app.put(
      '/api/me/settings',
      {
        config: { auth: 'user' },
        schema: {
          tags: ['accounts'],
          summary: 'Change my settings',
          body: SettingsChangeSchema,
          response: withProblems({ 200: ref(SettingsSchema) }, 400, 401, 404),
        },
      },
      async (request) => service.updateSettings(request.actor.id, request.body),
    );

    app.put(
      '/api/users/:id/role',
      {
        config: { rateLimit: 'admin', auth: ['admin'] },
        schema: {
          tags: ['accounts'],
          summary: "Change a user's role (admin)",
          params: Type.Object({ id: Uuid }),
          body: Type.Object({ role: literals(ROLES) }, { additionalProperties: false }),
          response: withProblems({ 200: Type.Object({ user: ref(UserSchema) }) }, 400, 401, 403, 404),
        },
      },
      async (request) => ({ user: await service.changeRole(request.actor.id, request.params.id, request.body.role) }),
    );
  };
