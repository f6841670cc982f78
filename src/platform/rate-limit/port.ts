// Rate limiter port: fixed-window counters per policy and key, shared across instances on Redis.
export interface RateLimitPolicyDefinition {
  /** Policy name, used in key prefixes, metrics and the RateLimit-Policy header. */
  name: string;
  points: number;
  durationSeconds: number;
}

export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window resets. */
  resetSeconds: number;
}

export interface RateLimiter {
  /** Spends one point of `policy` for `key` and says whether the request may go ahead. */
  consume(policy: RateLimitPolicyDefinition, key: string): Promise<RateLimitDecision>;
  close(): Promise<void>;
}
