// Bearer-token authentication and route guards. Every request's token is verified once, up
// front, so that rate limits and idempotency can be scoped per user. A route states who may call
// it with `config: { auth }`; the guard then sets `request.actor` and the route's OpenAPI entry
// gets its `security` requirement, so no route spells out either.
import fastifyJwt from '@fastify/jwt';
import type { FastifyInstance, FastifyRequest, preValidationAsyncHookHandler, RouteOptions } from 'fastify';
import type { Actor, Role } from '../domain/accounts.js';
import { AppError } from '../errors.js';

export interface TokenClaims {
  sub: string;
  role: Role;
  guest: boolean;
}

/**
 * 'user': any valid token; the actor's role is the token's, since these routes do not decide by
 * role (looking up the current one would cost a read per request on the hot paths).
 * A list of roles: the account's current role must be one of them, so a demotion takes effect at
 * once; the actor carries that current role.
 */
export type Access = 'user' | readonly Role[];

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: TokenClaims;
    user: TokenClaims;
  }
}

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: Access;
  }
  interface FastifyRequest {
    /** The verified token's claims; undefined for anonymous requests. */
    auth?: TokenClaims;
    /** Why a presented token was refused, reported only if the route needs authentication. */
    authFailure?: 'INVALID_TOKEN';
    /** Who is calling; set on routes with `config.auth`, and reading it on any other route throws. */
    readonly actor: Actor;
  }
}

export async function registerAuth(app: FastifyInstance, secret: string, ttlSeconds: number): Promise<void> {
  // Verified tokens are cached (LRU, keyed by a hash of the token): most requests repeat a token.
  await app.register(fastifyJwt, { secret, sign: { expiresIn: ttlSeconds }, verify: { cache: 10_000 } });
  app.decorateRequest('auth', undefined);
  app.decorateRequest('authFailure', undefined);
  app.addHook('onRequest', async (request) => {
    if (!request.headers.authorization) return;
    try {
      request.auth = await request.jwtVerify<TokenClaims>();
    } catch {
      request.authFailure = 'INVALID_TOKEN';
    }
  });
}

export function signToken(app: FastifyInstance, claims: TokenClaims): string {
  return app.jwt.sign(claims);
}

const actors = new WeakMap<FastifyRequest, Actor>();

/**
 * Guards every route registered after this call that declares `config.auth`. `currentRole` is the
 * accounts feature's cached lookup; undefined means the account no longer exists.
 */
export function registerGuards(app: FastifyInstance, currentRole: (userId: string) => Promise<Role | undefined>): void {
  app.decorateRequest('actor', {
    getter(this: FastifyRequest): Actor {
      const actor = actors.get(this);
      if (!actor) throw new Error(`request.actor read on ${this.routeOptions.url ?? 'a route'} without config.auth`);
      return actor;
    },
  });

  const guard = (access: Access): preValidationAsyncHookHandler =>
    access === 'user'
      ? async (request) => {
          const claims = claimsOf(request);
          actors.set(request, { id: claims.sub, role: claims.role, isGuest: claims.guest });
        }
      : async (request) => {
          const claims = claimsOf(request);
          const role = await currentRole(claims.sub);
          if (!role) throw new AppError('INVALID_TOKEN', 'The account no longer exists');
          if (!access.includes(role)) throw new AppError('FORBIDDEN', `Requires role ${access.join(' or ')}`);
          actors.set(request, { id: claims.sub, role, isGuest: claims.guest });
        };

  app.addHook('onRoute', (route: RouteOptions) => {
    const access = route.config?.auth;
    if (!access) return;
    // First, so a route's own preValidation (body defaults) runs for authenticated callers only.
    route.preValidation = [guard(access), ...[route.preValidation ?? []].flat()];
    if (route.schema) route.schema = { ...route.schema, security: [{ bearerAuth: [] }] };
  });
}

/** For a route open to anyone that needs the caller only for an option (`?mine=true`). */
export function requireUserId(request: FastifyRequest): string {
  return claimsOf(request).sub;
}

function claimsOf(request: FastifyRequest): TokenClaims {
  if (request.auth) return request.auth;
  throw new AppError(request.authFailure ?? 'UNAUTHENTICATED');
}
