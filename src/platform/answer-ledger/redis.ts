// The answer ledger on Redis, shared by every instance: one Lua script per scope and call does
// the set-if-absent of each answer (HSETNX) and, for a first answer only, the ZINCRBY of the
// tally, so two instances claiming the same key at once get one winner.
//
// Keys per scope, with the scope as hash tag so a script's keys share one cluster slot:
//   <prefix>ledger:{<scope>}:first   key -> the first value
//   <prefix>ledger:{<scope>}:totals  sorted set, member -> summed points
// Both expire TTL_SECONDS after the last claim, so a game nobody drops does not stay forever.
//
// Every command goes through the Redis breaker and fails fast: a failure surfaces as
// AnswerLedgerUnavailableError for the caller to fall back on its record.
import type { Redis } from 'ioredis';
import { positionsByKey } from '../batch.js';
import type { Breaker } from '../breakers.js';
import { guardedCalls } from '../redis-ready.js';
import { withScripts } from '../redis-scripts.js';
import { AnswerLedgerUnavailableError, assertClaim, type AnswerClaim, type AnswerLedger, type ClaimOutcome } from './port.js';

/** A day: longer than any game, short enough that an abandoned one goes away. */
const TTL_SECONDS = 86_400;

// KEYS[1] first hash, KEYS[2] totals; ARGV[1] ttl, then quadruples of key, value, member, points.
// Returns per claim '' when it was first, else the value held (values are never empty).
const CLAIM = `
local out = {}
for i = 2, #ARGV, 4 do
  if redis.call('HSETNX', KEYS[1], ARGV[i], ARGV[i + 1]) == 1 then
    redis.call('ZINCRBY', KEYS[2], ARGV[i + 3], ARGV[i + 2])
    out[#out + 1] = ''
  else
    out[#out + 1] = redis.call('HGET', KEYS[1], ARGV[i])
  end
end
redis.call('EXPIRE', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[2], ARGV[1])
return out`;

// KEYS as above; ARGV quadruples of key, value, member, points. Frees a key and takes its points
// back only while it holds that value, so releasing twice, or after another claim, changes nothing.
const RELEASE = `
for i = 1, #ARGV, 4 do
  if redis.call('HGET', KEYS[1], ARGV[i]) == ARGV[i + 1] then
    redis.call('HDEL', KEYS[1], ARGV[i])
    redis.call('ZINCRBY', KEYS[2], -tonumber(ARGV[i + 3]), ARGV[i + 2])
  end
end
return 0`;

type ScriptedRedis = Redis & {
  stampedeLedgerClaim(first: string, totals: string, ...args: Array<string | number>): Promise<string[]>;
  stampedeLedgerRelease(first: string, totals: string, ...args: Array<string | number>): Promise<number>;
};

export interface RedisAnswerLedgerOptions {
  client: Redis;
  keyPrefix: string;
  /** The Redis breaker: while it is open every call fails at once. */
  breaker: Breaker;
}

const flatten = (claims: AnswerClaim[]) => claims.flatMap(({ key, value, member, points }) => [key, value, member, points]);

export class RedisAnswerLedger implements AnswerLedger {
  private readonly client: ScriptedRedis;
  private readonly run: ReturnType<typeof guardedCalls>;

  constructor(private readonly options: RedisAnswerLedgerOptions) {
    this.run = guardedCalls(options.client, options.breaker, (cause) => new AnswerLedgerUnavailableError(cause));
    this.client = withScripts<ScriptedRedis>(options.client, {
      stampedeLedgerClaim: { numberOfKeys: 2, lua: CLAIM },
      stampedeLedgerRelease: { numberOfKeys: 2, lua: RELEASE },
    });
  }

  private keys(scope: string) {
    const base = `${this.options.keyPrefix}ledger:{${scope}}:`;
    return { first: `${base}first`, totals: `${base}totals` };
  }

  async claim(claims: AnswerClaim[]): Promise<ClaimOutcome[]> {
    claims.forEach(assertClaim);
    const outcomes: ClaimOutcome[] = new Array<ClaimOutcome>(claims.length);
    await this.run(() =>
      Promise.all(
        [...positionsByKey(claims, (claim) => claim.scope)].map(async ([scope, positions]) => {
          const { first, totals } = this.keys(scope);
          const held = await this.client.stampedeLedgerClaim(first, totals, TTL_SECONDS, ...flatten(positions.map((at) => claims[at]!)));
          positions.forEach((at, index) => {
            const value = held[index]!;
            outcomes[at] = value === '' ? { first: true } : { first: false, value };
          });
        }),
      ),
    );
    return outcomes;
  }

  async release(claims: AnswerClaim[]): Promise<void> {
    claims.forEach(assertClaim);
    await this.run(() =>
      Promise.all(
        [...positionsByKey(claims, (claim) => claim.scope)].map(([scope, positions]) => {
          const { first, totals } = this.keys(scope);
          return this.client.stampedeLedgerRelease(first, totals, ...flatten(positions.map((at) => claims[at]!)));
        }),
      ),
    );
  }

  async totals(scope: string): Promise<Map<string, number>> {
    const flat = await this.run(() => this.client.zrange(this.keys(scope).totals, '0', '-1', 'WITHSCORES'));
    const result = new Map<string, number>();
    for (let i = 0; i < flat.length; i += 2) result.set(flat[i]!, Number(flat[i + 1]));
    return result;
  }

  async drop(scope: string): Promise<void> {
    const { first, totals } = this.keys(scope);
    await this.run(() => this.client.del(first, totals));
  }

  /** The client belongs to the ports, which close it. */
  async close(): Promise<void> {}
}
