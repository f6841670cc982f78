// Bearer-token authentication and route guards. Every request's token is verified once, up
// front, so that rate limits and idempotency can be scoped per user. A route states who may call
// it with `config: { auth }`; the guard then sets `request.actor` and the route's OpenAPI entry
// gets its `security` requirement, so no route spells out either.
import { randomUUID } from 'node:crypto';
import fastifyJwt from '@fastify/jwt';
import type { FastifyInstance, FastifyRequest, preValidationAsyncHookHandler, RouteOptions } from 'fastify';
import type { Actor, Role } from '../domain/accounts.js';
import { AppError } from '../errors.js';

export interface TokenClaims {
  sub: string;
  role: Role;
  guest: boolean;
  /** The session version the token was issued under (absent on tokens from before versions). */
  sv?: number;
  /** Token id, so that one token can be logged out. */
  jti?: string;
  exp?: number;
}

/** Checks a verified token's session is still live and answers the account's current role. */
export type CheckSession = (claims: TokenClaims) => Promise<Role>;

/**
 * 'user': any valid token whose session is live. A list of roles: besides, the account's current
 * role must be one of them, so a demotion takes effect at once. Either way the actor carries the
 * current role, read from the same cached session lookup that catches revoked tokens.
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
  // The algorithm is pinned and an expiry required: a token naming another algorithm (`none`,
  // or an asymmetric one with our secret as its "public key") or living forever is refused.
  await app.register(fastifyJwt, {
    secret,
    sign: { algorithm: 'HS256', expiresIn: ttlSeconds },
    verify: { algorithms: ['HS256'], requiredClaims: ['exp', 'sub'], cache: 10_000 },
  });
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

export function signToken(app: FastifyInstance, claims: Omit<TokenClaims, 'jti' | 'exp'>): string {
  return app.jwt.sign({ ...claims, jti: randomUUID() });
}

const actors = new WeakMap<FastifyRequest, Actor>();

/** Guards every route registered after this call that declares `config.auth`. */
export function registerGuards(app: FastifyInstance, checkSession: CheckSession): void {
  app.decorateRequest('actor', {
    getter(this: FastifyRequest): Actor {
      const actor = actors.get(this);
      if (!actor) throw new Error(`request.actor read on ${this.routeOptions.url ?? 'a route'} without config.auth`);
      return actor;
    },
  });

  const guard =
    (access: Access): preValidationAsyncHookHandler =>
    async (request) => {
      const claims = claimsOf(request);
      const role = await checkSession(claims);
      if (access !== 'user' && !access.includes(role)) throw new AppError('FORBIDDEN', `Requires role ${access.join(' or ')}`);
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

export function claimsOf(request: FastifyRequest): TokenClaims {
  if (request.auth) return request.auth;
  throw new AppError(request.authFailure ?? 'UNAUTHENTICATED');
}
