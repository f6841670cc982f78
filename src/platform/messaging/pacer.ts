// Send pacing, shared by every instance. Two rules:
// - Slots: reserve() books the next free slot of one global schedule, 1000 / cap ms apart, and
//   says how long to wait for it, so sends leave evenly spaced (a generic cell rate algorithm
//   with no burst) instead of in bursts.
// - Permits, the guarantee: a send holds one of `cap` permits from just before its request
//   until one second after its answer. However late a timer fires or a request is slowed, no
//   receiver can then see more than `cap` requests in any one-second window: if it saw cap + 1,
//   the last of them to be permitted would have found the other cap still holding theirs.
import type { Redis } from 'ioredis';

export const WINDOW_MS = 1_000;
/** A permit whose holder died before releasing it lapses after this (past the request timeout). */
export const PERMIT_LEASE_MS = 15_000;
/** Longest single wait for a permit before asking again. */
const MAX_PERMIT_WAIT_MS = 50;

export interface Pacer {
  /** Books the next slot; resolves with the milliseconds to wait before sending in it. */
  reserve(): Promise<number>;
  /** Takes a permit for this send id: 0 when granted, else the milliseconds to wait before asking again. */
  acquire(id: string): Promise<number>;
  /** Called once the request has been answered (or failed): the permit frees one window later. */
  release(id: string): Promise<void>;
}

export const slotIntervalMs = (maxPerSecond: number) => 1000 / maxPerSecond;

export class MemoryPacer implements Pacer {
  private next = 0;
  /** Permit id -> when it frees. */
  private readonly permits = new Map<string, number>();

  constructor(
    private readonly maxPerSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  async reserve(): Promise<number> {
    const now = this.now();
    const slot = Math.max(this.next, now);
    this.next = slot + slotIntervalMs(this.maxPerSecond);
    return slot - now;
  }

  async acquire(id: string): Promise<number> {
    const now = this.now();
    let earliest = Infinity;
    for (const [held, until] of this.permits) {
      if (until <= now) this.permits.delete(held);
      else earliest = Math.min(earliest, until);
    }
    if (this.permits.size < this.maxPerSecond) {
      this.permits.set(id, now + PERMIT_LEASE_MS);
      return 0;
    }
    return Math.max(1, Math.min(MAX_PERMIT_WAIT_MS, earliest - now));
  }

  async release(id: string): Promise<void> {
    if (this.permits.has(id)) this.permits.set(id, this.now() + WINDOW_MS);
  }
}

// Times are Redis's (TIME), in ms since the epoch: one clock for every instance.
// RESERVE: KEYS[1] the next free slot; ARGV[1] the slot interval in ms. Returns the wait, as a string to keep the fraction.
const RESERVE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local slot = tonumber(redis.call('GET', KEYS[1]) or '0')
if slot < now then slot = now end
redis.call('SET', KEYS[1], tostring(slot + tonumber(ARGV[1])), 'PX', 60000)
return tostring(slot - now)
`;
// ACQUIRE: KEYS[1] a sorted set of permits scored by when they free; ARGV[1] the permit id,
// ARGV[2] the cap, ARGV[3] the lease in ms, ARGV[4] the longest wait. Returns 0 or the wait in ms.
const ACQUIRE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]) * 2)
  return 0
end
local earliest = tonumber(redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2])
return math.max(1, math.min(tonumber(ARGV[4]), earliest - now))
`;
// RELEASE: KEYS[1] the permits; ARGV[1] the permit id, ARGV[2] the window in ms. Only a permit still held moves.
const RELEASE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[2]), ARGV[1])
return 0
`;

export class RedisPacer implements Pacer {
  constructor(
    private readonly client: Redis,
    private readonly keyPrefix: string,
    private readonly maxPerSecond: number,
  ) {}

  async reserve(): Promise<number> {
    return Number(await this.client.eval(RESERVE_SCRIPT, 1, `${this.keyPrefix}slot`, String(slotIntervalMs(this.maxPerSecond))));
  }

  async acquire(id: string): Promise<number> {
    const args = [id, this.maxPerSecond, PERMIT_LEASE_MS, MAX_PERMIT_WAIT_MS].map(String);
    return Number(await this.client.eval(ACQUIRE_SCRIPT, 1, `${this.keyPrefix}permits`, ...args));
  }

  async release(id: string): Promise<void> {
    await this.client.eval(RELEASE_SCRIPT, 1, `${this.keyPrefix}permits`, id, String(WINDOW_MS));
  }
}
