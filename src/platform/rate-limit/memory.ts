// In-process fixed-window rate limiter on rate-limiter-flexible. The helpers here also serve
// the Redis adapter, so both map library results to decisions the same way.
import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RateLimitDecision, RateLimitPolicyDefinition, RateLimiter } from './port.js';

function toDecision(policy: RateLimitPolicyDefinition, res: RateLimiterRes, allowed: boolean): RateLimitDecision {
  return {
    allowed,
    limit: policy.points,
    remaining: Math.max(0, res.remainingPoints),
    resetSeconds: Math.max(0, Math.ceil(res.msBeforeNext / 1000)),
  };
}

/** rate-limiter-flexible rejects with a RateLimiterRes when over the limit, and with an Error when its store fails. */
export async function consumePoint(
  limiter: Pick<RateLimiterAbstract, 'consume'>,
  policy: RateLimitPolicyDefinition,
  key: string,
): Promise<RateLimitDecision> {
  try {
    return toDecision(policy, await limiter.consume(key), true);
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) return toDecision(policy, rejection, false);
    throw rejection;
  }
}

/** One limiter per policy name; a name reused with other numbers is a bug, not a new policy. */
export class LimiterRegistry<L> {
  private readonly limiters = new Map<string, { policy: RateLimitPolicyDefinition; limiter: L }>();

  constructor(private readonly create: (policy: RateLimitPolicyDefinition) => L) {}

  get(policy: RateLimitPolicyDefinition): L {
    const known = this.limiters.get(policy.name);
    if (known) {
      if (known.policy.points !== policy.points || known.policy.durationSeconds !== policy.durationSeconds) {
        throw new Error(`rate limit policy ${policy.name} is already defined with other limits`);
      }
      return known.limiter;
    }
    const limiter = this.create(policy);
    this.limiters.set(policy.name, { policy: { ...policy }, limiter });
    return limiter;
  }
}

export function memoryLimiterFor(policy: RateLimitPolicyDefinition): RateLimiterMemory {
  return new RateLimiterMemory({ keyPrefix: policy.name, points: policy.points, duration: policy.durationSeconds });
}

export class MemoryRateLimiter implements RateLimiter {
  private readonly limiters = new LimiterRegistry(memoryLimiterFor);

  async consume(policy: RateLimitPolicyDefinition, key: string): Promise<RateLimitDecision> {
    return consumePoint(this.limiters.get(policy), policy, key);
  }

  async close(): Promise<void> {}
}
