// Bearer-token authentication. Every request's token is verified once, up front, so that rate
// limits and idempotency can be scoped per user; routes then say what they require.
import fastifyJwt from '@fastify/jwt';
import type { FastifyInstance, FastifyRequest, preValidationAsyncHookHandler } from 'fastify';
import { AppError } from '../errors.js';
import type { Role } from '../platform/db/schema.js';

export interface TokenClaims {
  sub: string;
  role: Role;
  guest: boolean;
}

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: TokenClaims;
    user: TokenClaims;
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified token's claims; undefined for anonymous requests. */
    auth?: TokenClaims;
    /** Why a presented token was refused, reported only if the route needs authentication. */
    authFailure?: 'INVALID_TOKEN';
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

export function requireAuth(request: FastifyRequest): TokenClaims {
  if (request.auth) return request.auth;
  throw new AppError(request.authFailure ?? 'UNAUTHENTICATED');
}

export const authenticate: preValidationAsyncHookHandler = async (request) => {
  requireAuth(request);
};

/**
 * Checks the user's current role, not the one in the token, so that a demotion takes effect
 * at once. `currentRole` is a cached lookup provided by the accounts feature.
 */
export function requireRole(currentRole: (userId: string) => Promise<Role | undefined>, ...roles: Role[]): preValidationAsyncHookHandler {
  return async (request) => {
    const claims = requireAuth(request);
    const role = await currentRole(claims.sub);
    if (!role) throw new AppError('INVALID_TOKEN', 'The account no longer exists');
    if (!roles.includes(role)) throw new AppError('FORBIDDEN', `Requires role ${roles.join(' or ')}`);
  };
}
