// Per-route rate-limit policies. Each route names a policy class in its config; the limiter
// port decides, and the answer is published in the IETF draft RateLimit headers.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import { AppError } from '../errors.js';
import type { Metrics } from '../platform/metrics.js';
import type { RateLimitDecision, RateLimiter, RateLimitPolicyDefinition } from '../platform/rate-limit/port.js';

/** 'poll-rankings' and 'product-rankings' are the api policies plus a per-IP limit on submitting rankings. */
export type RateLimitClass = 'auth' | 'api' | 'admin' | 'poll-rankings' | 'product-rankings' | 'none';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Which policy class limits this route. Routes under /api default to 'api', others to 'none'. */
    rateLimit?: RateLimitClass;
  }
}

interface Check {
  policy: RateLimitPolicyDefinition;
  key: string;
}

function definitions(config: Config['rateLimits']) {
  const define = (name: string, policy: { points: number; durationSeconds: number }) => ({ name, ...policy });
  return {
    auth: define('auth', config.auth),
    apiUser: define('api-user', config.apiUser),
    apiIp: define('api-ip', config.apiIp),
    admin: define('admin', config.admin),
    pollRankings: define('poll-rankings', config.pollRankings),
    productRankings: define('product-rankings', config.productRankings),
  };
}

function checksFor(kind: RateLimitClass, request: FastifyRequest, policies: ReturnType<typeof definitions>): Check[] {
  const userId = request.auth?.sub;
  switch (kind) {
    case 'auth':
      return [{ policy: policies.auth, key: request.ip }];
    case 'admin':
      return [{ policy: policies.admin, key: userId ?? `ip:${request.ip}` }];
    case 'api':
      return [...(userId ? [{ policy: policies.apiUser, key: userId }] : []), { policy: policies.apiIp, key: request.ip }];
    case 'poll-rankings':
      return [...checksFor('api', request, policies), { policy: policies.pollRankings, key: request.ip }];
    case 'product-rankings':
      return [...checksFor('api', request, policies), { policy: policies.productRankings, key: request.ip }];
    case 'none':
      return [];
  }
}

function headers(policy: RateLimitPolicyDefinition, decision: RateLimitDecision): Record<string, string> {
  return {
    'ratelimit-policy': `"${policy.name}";q=${policy.points};w=${policy.durationSeconds}`,
    ratelimit: `"${policy.name}";r=${decision.remaining};t=${decision.resetSeconds}`,
  };
}

export function registerRateLimits(app: FastifyInstance, config: Config, limiter: RateLimiter, metrics: Metrics): void {
  if (!config.rateLimits.enabled) return;
  const policies = definitions(config.rateLimits);

  app.addHook('onRequest', async (request, reply) => {
    const kind = request.routeOptions.config.rateLimit ?? (request.url.startsWith('/api/') ? 'api' : 'none');
    const checks = checksFor(kind, request, policies);
    if (checks.length === 0) return;
    let decisions: RateLimitDecision[];
    try {
      decisions = await Promise.all(checks.map((check) => limiter.consume(check.policy, check.key)));
    } catch (error) {
      // The limiter protects us; it must never be the reason a request fails.
      request.log.warn({ err: error }, 'rate limiter unavailable; letting the request through');
      return;
    }
    const rejected = decisions.findIndex((decision) => !decision.allowed);
    if (rejected >= 0) {
      const { policy } = checks[rejected]!;
      const decision = decisions[rejected]!;
      metrics.rateLimitRejections.inc({ policy: policy.name });
      throw new AppError(
        'RATE_LIMITED',
        `Limit of ${policy.points} per ${policy.durationSeconds}s reached for ${policy.name}`,
        {},
        {
          ...headers(policy, decision),
          'retry-after': String(Math.max(1, decision.resetSeconds)),
        },
      );
    }
    // Report the policy closest to its limit, as the draft asks for one.
    const tightest = decisions.reduce((best, decision, index) => (decision.remaining < decisions[best]!.remaining ? index : best), 0);
    reply.headers(headers(checks[tightest]!.policy, decisions[tightest]!));
  });
}
