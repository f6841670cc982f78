// Rate limiter on Redis, so that every instance counts against the same window. While Redis
// fails, an in-process limiter per policy (the "insurance") takes over: limits then hold per
// instance rather than cluster-wide, which beats failing open or failing every request.
import type { Redis } from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import type { Metrics } from '../metrics.js';
import { LimiterRegistry, consumePoint, memoryLimiterFor } from './memory.js';
import type { RateLimitDecision, RateLimitPolicyDefinition, RateLimiter } from './port.js';

export interface RedisRateLimiterOptions {
  client: Redis;
  keyPrefix: string;
  metrics: Metrics;
}

export class RedisRateLimiter implements RateLimiter {
  // No circuit breaker here: the client fails fast and the insurance answers at once, and an
  // insurance-served call would look like a success to the breaker anyway.
  private readonly limiters: LimiterRegistry<RateLimiterRedis>;

  constructor(options: RedisRateLimiterOptions) {
    this.limiters = new LimiterRegistry((policy) => {
      const insurance = memoryLimiterFor(policy);
      // rate-limiter-flexible calls the insurance only after a store error; counting its
      // consume calls is how the fallback shows up in /metrics.
      const consume = insurance.consume.bind(insurance);
      insurance.consume = (...args) => {
        options.metrics.fallbacks.inc({ port: 'rate-limit' });
        return consume(...args);
      };
      return new RateLimiterRedis({
        storeClient: options.client,
        keyPrefix: `${options.keyPrefix}rl:${policy.name}`,
        points: policy.points,
        duration: policy.durationSeconds,
        insuranceLimiter: insurance,
        // Go to the insurance at once instead of waiting on a reconnecting client.
        rejectIfRedisNotReady: true,
      });
    });
  }

  async consume(policy: RateLimitPolicyDefinition, key: string): Promise<RateLimitDecision> {
    return consumePoint(this.limiters.get(policy), policy, key);
  }

  async close(): Promise<void> {}
}
