// The rank index on Redis sorted sets, shared by every instance.
//
// A double cannot hold a score and a millisecond timestamp together, so ties are broken in the
// member instead: the sorted set holds score -s for member "<reachedAt, 13 digits>:<member>".
// Ascending order is then score descending, then (equal scores sort by member bytes) earliest
// reachedAt, then member: exactly the port's order, and ZRANK is the rank minus one.
// A hash maps member -> its padded reachedAt, to find the old sorted-set member on update.
//
// Keys per board, with the board as hash tag so a script's keys share one cluster slot:
//   <prefix>rank:{<board>}:z       the sorted set
//   <prefix>rank:{<board>}:h       member -> padded reachedAt
//   <prefix>rank:{<board>}:loaded  INDEX_FORMAT, set by replace(); gone after Redis lost its data
//
// Every command goes through the Redis breaker and fails fast (no offline queue, a command
// timeout): a failure surfaces as RankIndexUnavailableError for the caller to fall back on.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Breaker } from '../breakers.js';
import { guardedCalls } from '../redis-ready.js';
import { withScripts } from '../redis-scripts.js';
import {
  MAX_REACHED_AT,
  RankIndexUnavailableError,
  assertCount,
  assertRankedMember,
  latestPerMember,
  type RankEntry,
  type RankIndex,
  type RankedMember,
} from './port.js';

const REACHED_AT_DIGITS = String(MAX_REACHED_AT).length;
/**
 * The layout of a board's keys, kept in its loaded marker. A board loaded by a version that
 * wrote another layout is not current: isLoaded() says false and it is rebuilt. Change it
 * whenever the keys or their encoding change.
 */
const INDEX_FORMAT = '2';
/** Members per command or script call, so one call never holds Redis for long. */
const CHUNK = 1_000;
const CHUNKS_PER_ROUND_TRIP = 5;
const REBUILD_ATTEMPTS = 3;
/** A rebuild that dies half-way leaves its temp keys; they expire on their own. */
const TEMP_TTL_SECONDS = 3_600;

// The hash value is the padded reachedAt, then ':<version>' when the write carried one; the
// sorted-set member is only ever built from its first REACHED_AT_DIGITS characters.

// KEYS[1] sorted set, KEYS[2] hash
// ARGV: quadruples of member, negated score, padded reachedAt, version ('' for none)
// Moves each member to its new place, unless the held version is at least the incoming one.
const SET_MEMBERS = `
for i = 1, #ARGV, 4 do
  local member, score, reached, version = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  local held = redis.call('HGET', KEYS[2], member)
  local heldVersion = held and tonumber(string.sub(held, ${REACHED_AT_DIGITS + 2}))
  if not (version ~= '' and heldVersion and tonumber(version) <= heldVersion) then
    local old = held and string.sub(held, 1, ${REACHED_AT_DIGITS})
    if old and old ~= reached then redis.call('ZREM', KEYS[1], old .. ':' .. member) end
    redis.call('ZADD', KEYS[1], score, reached .. ':' .. member)
    redis.call('HSET', KEYS[2], member, version == '' and reached or (reached .. ':' .. version))
  end
end
return #ARGV / 4`;

// KEYS[1] sorted set, KEYS[2] hash
// ARGV[1] member
const REMOVE_MEMBER = `
local held = redis.call('HGET', KEYS[2], ARGV[1])
if not held then return 0 end
redis.call('ZREM', KEYS[1], string.sub(held, 1, ${REACHED_AT_DIGITS}) .. ':' .. ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
return 1`;

// KEYS[1] sorted set, KEYS[2] hash
// ARGV[1] member, ARGV[2] radius
// Returns {} when the member is not ranked, else {first 0-based index, {encoded, score, ...}}:
// the member and up to radius neighbours each side. radius 0 is the member alone (rank()).
const AROUND_MEMBER = `
local held = redis.call('HGET', KEYS[2], ARGV[1])
if not held then return {} end
local reached = string.sub(held, 1, ${REACHED_AT_DIGITS})
local index = redis.call('ZRANK', KEYS[1], reached .. ':' .. ARGV[1])
if not index then return {} end
local radius = tonumber(ARGV[2])
local first = math.max(0, index - radius)
return {first, redis.call('ZRANGE', KEYS[1], first, index + radius, 'WITHSCORES')}`;

// KEYS[1] sorted set, KEYS[2] hash; ARGV members. For each member, {index, encoded, score}, or {} when unranked.
const RANK_MEMBERS = `
local found = {}
for i = 1, #ARGV do
  local held = redis.call('HGET', KEYS[2], ARGV[i])
  local entry = {}
  if held then
    local encoded = string.sub(held, 1, ${REACHED_AT_DIGITS}) .. ':' .. ARGV[i]
    local index = redis.call('ZRANK', KEYS[1], encoded)
    if index then entry = {index, encoded, redis.call('ZSCORE', KEYS[1], encoded)} end
  end
  found[i] = entry
end
return found`;

// KEYS[1] sorted set, KEYS[2] hash, KEYS[3] loaded marker, KEYS[4] temp sorted set, KEYS[5] temp hash
// ARGV[1] the index format
// Swaps a rebuilt board in at once and marks it loaded. An empty rebuild has no temp keys.
// UNLINK frees the old board in the background: freeing a million entries blocks for a second.
const SWAP_IN = `
redis.call('UNLINK', KEYS[1], KEYS[2])
if redis.call('EXISTS', KEYS[4]) == 1 then
  redis.call('RENAME', KEYS[4], KEYS[1])
  redis.call('PERSIST', KEYS[1])
  redis.call('RENAME', KEYS[5], KEYS[2])
  redis.call('PERSIST', KEYS[2])
end
redis.call('SET', KEYS[3], ARGV[1])
return 1`;

type ScriptedRedis = Redis & {
  stampedeRankSet(z: string, h: string, ...args: string[]): Promise<number>;
  stampedeRankRemove(z: string, h: string, member: string): Promise<number>;
  stampedeRankAround(z: string, h: string, member: string, radius: number): Promise<[number, string[]] | []>;
  stampedeRankMembers(z: string, h: string, ...members: string[]): Promise<Array<[number, string, string] | []>>;
  stampedeRankSwapIn(z: string, h: string, loaded: string, tempZ: string, tempH: string, format: string): Promise<number>;
};

const padReachedAt = (reachedAt: number) => String(reachedAt).padStart(REACHED_AT_DIGITS, '0');
/** The hash value SET_MEMBERS writes for a member. */
const heldValue = (m: RankedMember) => (m.version === undefined ? padReachedAt(m.reachedAt) : `${padReachedAt(m.reachedAt)}:${m.version}`);
/** 0 - x, not -x: a stored 0 must come back as 0, not -0. */
const negate = (score: number | string) => 0 - Number(score);

/** ZRANGE ... WITHSCORES output (encoded member, negated score pairs) as entries from `firstRank`. */
function decodeRange(flat: string[], firstRank: number): RankEntry[] {
  const entries: RankEntry[] = [];
  for (let i = 0; i < flat.length; i += 2) {
    const encoded = flat[i]!;
    entries.push({
      member: encoded.slice(REACHED_AT_DIGITS + 1),
      score: negate(flat[i + 1]!),
      reachedAt: Number(encoded.slice(0, REACHED_AT_DIGITS)),
      rank: firstRank + i / 2,
    });
  }
  return entries;
}

function chunks<T>(items: T[]): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) result.push(items.slice(i, i + CHUNK));
  return result;
}

export interface RedisRankIndexOptions {
  client: Redis;
  keyPrefix: string;
  /** The Redis breaker: while it is open every call fails at once. */
  breaker: Breaker;
}

export class RedisRankIndex implements RankIndex {
  private readonly client: ScriptedRedis;
  /** Every command: through the breaker, any store failure as RankIndexUnavailableError. */
  private readonly run: ReturnType<typeof guardedCalls>;

  constructor(private readonly options: RedisRankIndexOptions) {
    this.run = guardedCalls(options.client, options.breaker, (cause) => new RankIndexUnavailableError(cause));
    this.client = withScripts<ScriptedRedis>(options.client, {
      stampedeRankSet: { numberOfKeys: 2, lua: SET_MEMBERS },
      stampedeRankRemove: { numberOfKeys: 2, lua: REMOVE_MEMBER },
      stampedeRankAround: { numberOfKeys: 2, lua: AROUND_MEMBER },
      stampedeRankMembers: { numberOfKeys: 2, lua: RANK_MEMBERS },
      stampedeRankSwapIn: { numberOfKeys: 5, lua: SWAP_IN },
    });
  }

  private keys(board: string, variant = '') {
    const base = `${this.options.keyPrefix}rank:{${board}}:`;
    return { z: `${base}${variant}z`, h: `${base}${variant}h`, loaded: `${base}loaded` };
  }

  async set(board: string, members: RankedMember[]): Promise<void> {
    members.forEach(assertRankedMember);
    if (members.length === 0) return;
    const { z, h } = this.keys(board);
    await this.run(() =>
      Promise.all(
        chunks(members).map((chunk) =>
          this.client.stampedeRankSet(
            z,
            h,
            ...chunk.flatMap((m) => [m.member, String(negate(m.score)), padReachedAt(m.reachedAt), String(m.version ?? '')]),
          ),
        ),
      ),
    );
  }

  async remove(board: string, member: string): Promise<void> {
    const { z, h } = this.keys(board);
    await this.run(() => this.client.stampedeRankRemove(z, h, member));
  }

  async rank(board: string, member: string): Promise<RankEntry | undefined> {
    return (await this.around(board, member, 0))[0];
  }

  async ranks(board: string, members: string[]): Promise<Array<RankEntry | undefined>> {
    if (members.length === 0) return [];
    const { z, h } = this.keys(board);
    const replies = await this.run(() => this.client.stampedeRankMembers(z, h, ...members));
    return replies.map((reply) => (reply.length === 0 ? undefined : decodeRange([reply[1], reply[2]], reply[0] + 1)[0]));
  }

  async top(board: string, limit: number, offset = 0): Promise<RankEntry[]> {
    assertCount('limit', limit);
    assertCount('offset', offset);
    if (limit === 0) return [];
    const { z } = this.keys(board);
    // ioredis 6 types the stop index of ZRANGE as a string.
    return decodeRange(await this.run(() => this.client.zrange(z, offset, String(offset + limit - 1), 'WITHSCORES')), offset + 1);
  }

  async around(board: string, member: string, radius: number): Promise<RankEntry[]> {
    assertCount('radius', radius);
    const { z, h } = this.keys(board);
    const reply = await this.run(() => this.client.stampedeRankAround(z, h, member, radius));
    return reply.length === 0 ? [] : decodeRange(reply[1], reply[0] + 1);
  }

  async count(board: string): Promise<number> {
    return this.run(() => this.client.zcard(this.keys(board).z));
  }

  /**
   * Builds the board under temp keys of its own (so concurrent rebuilds cannot mix), then swaps
   * it in with one script: readers see the old board or the new one, never a half-built one.
   */
  async replace(board: string, members: RankedMember[]): Promise<void> {
    const live = this.keys(board);
    const temp = this.keys(board, `tmp:${randomUUID()}:`);
    const entries = latestPerMember(members);
    await this.run(async () => {
      // Chunks go out CHUNKS_PER_ROUND_TRIP at a time: one round trip per batch, none too big.
      const batches = chunks(entries);
      for (let i = 0; i < batches.length; i += CHUNKS_PER_ROUND_TRIP) await this.writeTemp(temp, batches.slice(i, i + CHUNKS_PER_ROUND_TRIP));
      await this.client.stampedeRankSwapIn(live.z, live.h, live.loaded, temp.z, temp.h, INDEX_FORMAT);
    });
  }

  /**
   * One round trip of a rebuild. A rebuild runs long on a busy process, where one late reply can
   * trip the command timeout; writing the same entries to the temp keys again is harmless, so a
   * timed-out batch is retried before the rebuild gives up.
   */
  private async writeTemp(temp: { z: string; h: string }, batch: RankedMember[][]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const write = this.client.pipeline();
      for (const chunk of batch) {
        write.zadd(temp.z, ...chunk.flatMap((m) => [String(negate(m.score)), `${padReachedAt(m.reachedAt)}:${m.member}`]));
        write.hset(temp.h, ...chunk.flatMap((m) => [m.member, heldValue(m)]));
      }
      write.expire(temp.z, TEMP_TTL_SECONDS).expire(temp.h, TEMP_TTL_SECONDS);
      try {
        const failed = (await write.exec())?.find(([error]) => error);
        if (failed) throw failed[0];
        return;
      } catch (error) {
        if (attempt === REBUILD_ATTEMPTS || !/timed out/i.test((error as Error).message)) throw error;
      }
    }
  }

  async isLoaded(board: string): Promise<boolean> {
    return (await this.run(() => this.client.get(this.keys(board).loaded))) === INDEX_FORMAT;
  }

  async drop(board: string): Promise<void> {
    const { z, h, loaded } = this.keys(board);
    await this.run(() => this.client.unlink(z, h, loaded));
  }

  /** The client belongs to the ports, which close it. */
  async close(): Promise<void> {}
}
