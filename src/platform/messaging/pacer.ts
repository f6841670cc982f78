// Send pacing: one global schedule of send slots, `interval` apart, shared by every instance.
// reserve() books the next free slot and says how long to wait for it, so workers never poll
// and the sends leave evenly spaced (a generic cell rate algorithm with no burst).
import type { Redis } from 'ioredis';

export interface Pacer {
  /** Books the next slot; resolves with the milliseconds to wait before sending in it. */
  reserve(): Promise<number>;
}

/**
 * Slots sit 3 % further apart than the cap: each window of the cap's length then spans
 * 30 ms more than a second, so scheduling and network jitter below that cannot push one
 * more send into any one-second window the receiver measures.
 */
export const PACING_MARGIN = 1.03;

export const slotIntervalMs = (maxPerSecond: number) => (1000 / maxPerSecond) * PACING_MARGIN;

export class MemoryPacer implements Pacer {
  private next = 0;
  constructor(
    private readonly intervalMs: number,
    private readonly now: () => number = () => performance.timeOrigin + performance.now(),
  ) {}

  async reserve(): Promise<number> {
    const now = this.now();
    const slot = Math.max(this.next, now);
    this.next = slot + this.intervalMs;
    return slot - now;
  }
}

// KEYS[1] the next free slot, in ms since the epoch by Redis's clock (one clock for every instance)
// ARGV[1] the interval between slots in ms (fractional)
// Returns the wait in ms, as a string to keep the fraction.
const RESERVE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local slot = tonumber(redis.call('GET', KEYS[1]) or '0')
if slot < now then slot = now end
redis.call('SET', KEYS[1], tostring(slot + tonumber(ARGV[1])), 'PX', 60000)
return tostring(slot - now)
`;

export class RedisPacer implements Pacer {
  constructor(
    private readonly client: Redis,
    private readonly key: string,
    private readonly intervalMs: number,
  ) {}

  async reserve(): Promise<number> {
    return Number(await this.client.eval(RESERVE_SCRIPT, 1, this.key, String(this.intervalMs)));
  }
}
