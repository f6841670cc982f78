// Socket handshakes spend the same rate-limiter port as HTTP requests, per client address.
import type { Logger } from 'pino';
import type { Metrics } from '../platform/metrics.js';
import type { RateLimiter, RateLimitPolicyDefinition } from '../platform/rate-limit/port.js';
import type { HandshakeLimiter } from './gateway.js';

export function handshakeLimiter(limiter: RateLimiter, policy: RateLimitPolicyDefinition, metrics: Metrics, log: Logger): HandshakeLimiter {
  return async (address) => {
    try {
      const decision = await limiter.consume(policy, address);
      if (decision.allowed) return { allowed: true };
      metrics.rateLimitRejections.inc({ policy: policy.name });
      return { allowed: false, retryAfterSeconds: Math.max(1, decision.resetSeconds) };
    } catch (error) {
      // As on HTTP: the limiter protects us, it must never be the reason a client cannot connect.
      log.warn({ err: error }, 'rate limiter unavailable; letting the handshake through');
      return { allowed: true };
    }
  };
}
