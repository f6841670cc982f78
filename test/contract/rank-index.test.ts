// One suite for both rank index adapters, Redis real. The property test at the end drives both
// with random operations and compares every answer with a brute-force sort.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBreaker } from '../../src/platform/breakers.js';
import { createMetrics } from '../../src/platform/metrics.js';
import { createPorts, type Ports } from '../../src/platform/ports.js';
import { RankIndexUnavailableError, type RankEntry, type RankIndex, type RankedMember } from '../../src/platform/rank-index/port.js';
import { startRedis, type RedisServer } from '../harness/processes.js';
import { silentLog, usePorts, variants } from './ports.js';

const T0 = 1_700_000_000_000;
const m = (member: string, score: number, reachedAt = T0): RankedMember => ({ member, score, reachedAt });
const members = (entries: RankEntry[]) => entries.map((entry) => entry.member);

/** The order the port promises, by brute force: the oracle for every answer below. */
function oracle(entries: Iterable<RankedMember>): RankEntry[] {
  return [...entries]
    .sort((a, b) => b.score - a.score || a.reachedAt - b.reachedAt || (a.member < b.member ? -1 : a.member > b.member ? 1 : 0))
    .map((entry, index) => ({ ...entry, rank: index + 1 }));
}

describe.each(variants)('rank index contract ($name)', (variant) => {
  const open = usePorts(variant);
  const index = async (): Promise<RankIndex> => (await open()).rankIndex;

  it('ranks by score descending, equal scores by who reached them first, then by member', async () => {
    const ranks = await index();
    await ranks.set('global', [
      m('late', 50, T0 + 5),
      m('low', 10),
      m('early', 50, T0 + 1),
      m('high', 90, T0 + 9),
      m('b-same', 50, T0 + 5),
      m('a-same', 50, T0 + 5),
    ]);

    expect(await ranks.top('global', 10)).toEqual([
      { member: 'high', score: 90, reachedAt: T0 + 9, rank: 1 },
      { member: 'early', score: 50, reachedAt: T0 + 1, rank: 2 },
      { member: 'a-same', score: 50, reachedAt: T0 + 5, rank: 3 },
      { member: 'b-same', score: 50, reachedAt: T0 + 5, rank: 4 },
      { member: 'late', score: 50, reachedAt: T0 + 5, rank: 5 },
      { member: 'low', score: 10, reachedAt: T0, rank: 6 },
    ]);
    expect(await ranks.rank('global', 'late')).toEqual({ member: 'late', score: 50, reachedAt: T0 + 5, rank: 5 });
    expect(await ranks.count('global')).toBe(6);
  });

  it('moves a member up and down when its score changes, and ignores an unchanged set', async () => {
    const ranks = await index();
    await ranks.set('global', [m('a', 30), m('b', 20), m('c', 10)]);

    await ranks.set('global', [m('c', 31, T0 + 1)]);
    expect(members(await ranks.top('global', 3))).toEqual(['c', 'a', 'b']);
    await ranks.set('global', [m('c', 5, T0 + 2)]);
    expect(members(await ranks.top('global', 3))).toEqual(['a', 'b', 'c']);
    // Same score reached later: it now loses the tie it used to win.
    await ranks.set('global', [m('b', 30, T0 + 3)]);
    expect(await ranks.rank('global', 'b')).toMatchObject({ rank: 2, score: 30, reachedAt: T0 + 3 });
    // The last entry for a member in one call wins.
    await ranks.set('global', [m('a', 1), m('a', 100, T0 + 4)]);
    expect(await ranks.rank('global', 'a')).toMatchObject({ rank: 1, score: 100 });
    expect(await ranks.count('global')).toBe(3);
  });

  it('keeps fractional, negative, zero and large scores exact', async () => {
    const ranks = await index();
    await ranks.set('global', [m('zero', 0), m('neg', -2.5), m('frac', 0.1), m('big', 2 ** 53 - 1), m('tiny', 1e-9)]);

    const top = await ranks.top('global', 5);
    expect(top.map(({ member, score }) => [member, score])).toEqual([
      ['big', 2 ** 53 - 1],
      ['frac', 0.1],
      ['tiny', 1e-9],
      ['zero', 0],
      ['neg', -2.5],
    ]);
    expect(Object.is(top[3]!.score, 0)).toBe(true);
  });

  it('removes members; unknown members and boards answer empty', async () => {
    const ranks = await index();
    await ranks.set('global', [m('a', 3), m('b', 2), m('c', 1)]);

    await ranks.remove('global', 'b');
    await ranks.remove('global', 'nobody');
    await ranks.remove('no-such-board', 'a');

    expect(await ranks.rank('global', 'b')).toBeUndefined();
    expect(await ranks.rank('global', 'c')).toMatchObject({ rank: 2 });
    expect(await ranks.count('global')).toBe(2);
    expect(await ranks.top('no-such-board', 10)).toEqual([]);
    expect(await ranks.around('global', 'nobody', 3)).toEqual([]);
    expect(await ranks.count('no-such-board')).toBe(0);
  });

  it('pages the top with limit and offset', async () => {
    const ranks = await index();
    await ranks.set(
      'global',
      Array.from({ length: 25 }, (_, i) => m(`u${String(i).padStart(2, '0')}`, 100 - i)),
    );

    expect(members(await ranks.top('global', 3))).toEqual(['u00', 'u01', 'u02']);
    expect(await ranks.top('global', 2, 10)).toEqual([
      { member: 'u10', score: 90, reachedAt: T0, rank: 11 },
      { member: 'u11', score: 89, reachedAt: T0, rank: 12 },
    ]);
    expect(members(await ranks.top('global', 10, 22))).toEqual(['u22', 'u23', 'u24']);
    expect(await ranks.top('global', 10, 25)).toEqual([]);
    expect(await ranks.top('global', 0)).toEqual([]);
  });

  it('returns a member with its neighbours, cut at both ends of the board', async () => {
    const ranks = await index();
    await ranks.set(
      'global',
      Array.from({ length: 10 }, (_, i) => m(`u${i}`, 100 - i)),
    );

    expect((await ranks.around('global', 'u5', 2)).map((e) => [e.member, e.rank])).toEqual([
      ['u3', 4],
      ['u4', 5],
      ['u5', 6],
      ['u6', 7],
      ['u7', 8],
    ]);
    expect(members(await ranks.around('global', 'u0', 3))).toEqual(['u0', 'u1', 'u2', 'u3']);
    expect(members(await ranks.around('global', 'u9', 3))).toEqual(['u6', 'u7', 'u8', 'u9']);
    expect(members(await ranks.around('global', 'u4', 0))).toEqual(['u4']);
    expect(await ranks.around('global', 'u4', 50)).toHaveLength(10);
  });

  it('keeps boards apart, whatever characters their names hold', async () => {
    const ranks = await index();
    const boards = ['global', 'daily:2026-11-22', 'game:{x}:z', 'game:{x}', 'event:é ✓'];
    for (const [i, board] of boards.entries()) await ranks.set(board, [m(`only-${i}`, i)]);

    for (const [i, board] of boards.entries()) {
      expect(await ranks.top(board, 10)).toEqual([{ member: `only-${i}`, score: i, reachedAt: T0, rank: 1 }]);
    }
    await ranks.drop('game:{x}');
    expect(await ranks.count('game:{x}')).toBe(0);
    expect(await ranks.count('game:{x}:z')).toBe(1);
  });

  it('replaces a whole board at once and marks it loaded; set alone does not', async () => {
    const ranks = await index();
    expect(await ranks.isLoaded('global')).toBe(false);
    await ranks.set('global', [m('stale', 999), m('kept', 1)]);
    expect(await ranks.isLoaded('global')).toBe(false);

    await ranks.replace('global', [m('kept', 5), m('new', 7), m('new', 3, T0 + 1)]);

    expect(await ranks.isLoaded('global')).toBe(true);
    expect(await ranks.top('global', 10)).toEqual([
      { member: 'kept', score: 5, reachedAt: T0, rank: 1 },
      { member: 'new', score: 3, reachedAt: T0 + 1, rank: 2 },
    ]);
    // Updates after a rebuild find the rebuilt entries.
    await ranks.set('global', [m('new', 6, T0 + 2)]);
    await ranks.remove('global', 'kept');
    expect(await ranks.top('global', 10)).toEqual([{ member: 'new', score: 6, reachedAt: T0 + 2, rank: 1 }]);

    await ranks.replace('empty', []);
    expect(await ranks.isLoaded('empty')).toBe(true);
    expect(await ranks.count('empty')).toBe(0);

    await ranks.drop('global');
    expect(await ranks.isLoaded('global')).toBe(false);
    expect(await ranks.count('global')).toBe(0);
  });

  it('ignores a versioned write that is not newer than the one it holds', async () => {
    const ranks = await index();
    const v = (member: string, score: number, version: number, reachedAt = T0) => ({ ...m(member, score, reachedAt), version });
    await ranks.replace('global', [v('a', 10, 3), v('b', 20, 1)]);

    // Writes that arrive late (another instance's older commit) leave the newer score in place.
    await ranks.set('global', [v('a', 99, 2, T0 + 1), v('a', 98, 3, T0 + 1)]);
    expect(await ranks.rank('global', 'a')).toEqual({ member: 'a', score: 10, reachedAt: T0, rank: 2 });
    // A newer one moves the member, even when an older one follows it in the same call.
    await ranks.set('global', [v('a', 30, 5, T0 + 2), v('a', 5, 4, T0 + 3)]);
    expect(await ranks.rank('global', 'a')).toEqual({ member: 'a', score: 30, reachedAt: T0 + 2, rank: 1 });
    // Unversioned writes always apply, and a version then starts the count again.
    await ranks.set('global', [m('b', 40, T0 + 4)]);
    await ranks.set('global', [v('b', 41, 1, T0 + 5)]);
    expect(members(await ranks.top('global', 10))).toEqual(['b', 'a']);
    expect(await ranks.rank('global', 'b')).toMatchObject({ score: 41 });
    await expect(ranks.set('global', [v('c', 1, -1)])).rejects.toThrow(RangeError);
  });

  it('rejects input it cannot hold exactly, changing nothing', async () => {
    const ranks = await index();
    await ranks.set('global', [m('a', 1)]);

    await expect(ranks.set('global', [m('b', 2), m('c', Number.NaN)])).rejects.toThrow(RangeError);
    await expect(ranks.set('global', [m('b', Number.POSITIVE_INFINITY)])).rejects.toThrow(RangeError);
    await expect(ranks.set('global', [m('b', 1, -1)])).rejects.toThrow(RangeError);
    await expect(ranks.set('global', [m('b', 1, 1.5)])).rejects.toThrow(RangeError);
    await expect(ranks.set('global', [m('', 1)])).rejects.toThrow(RangeError);
    await expect(ranks.replace('global', [m('b', Number.NaN)])).rejects.toThrow(RangeError);
    await expect(ranks.top('global', -1)).rejects.toThrow(RangeError);
    await expect(ranks.top('global', 10, 0.5)).rejects.toThrow(RangeError);
    await expect(ranks.around('global', 'a', -1)).rejects.toThrow(RangeError);

    expect(await ranks.top('global', 10)).toEqual([{ member: 'a', score: 1, reachedAt: T0, rank: 1 }]);
  });

  it.runIf(variant.shared)('is shared by every instance on the same Redis', async () => {
    const [first, second] = await Promise.all([open(), open()]);
    await first.rankIndex.replace('global', [m('a', 1)]);
    await second.rankIndex.set('global', [m('b', 2)]);

    expect(members(await first.rankIndex.top('global', 10))).toEqual(['b', 'a']);
    expect(await second.rankIndex.isLoaded('global')).toBe(true);
  });

  it('agrees with a brute-force ranking after any sequence of operations', async () => {
    const ranks = await index();
    const pool = ['u0', 'u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7'];
    // Few distinct scores and times, so ties on score and on both happen all the time.
    const entry = fc.record({
      member: fc.constantFrom(...pool),
      score: fc.integer({ min: -3, max: 3 }),
      reachedAt: fc.integer({ min: T0, max: T0 + 3 }),
    });
    const operation = fc.oneof(
      { weight: 6, arbitrary: fc.record({ kind: fc.constant('set' as const), entries: fc.array(entry, { minLength: 1, maxLength: 4 }) }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('remove' as const), member: fc.constantFrom(...pool) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('replace' as const), entries: fc.array(entry, { maxLength: 8 }) }) },
    );
    let run = 0;

    await fc.assert(
      fc.asyncProperty(
        fc.array(operation, { minLength: 1, maxLength: 30 }),
        fc.nat({ max: 3 }),
        fc.nat({ max: 8 }),
        async (operations, radius, offset) => {
          const board = `property-${run++}`;
          const expected = new Map<string, RankedMember>();
          for (const op of operations) {
            if (op.kind === 'set') {
              await ranks.set(board, op.entries);
              for (const e of op.entries) expected.set(e.member, e);
            } else if (op.kind === 'remove') {
              await ranks.remove(board, op.member);
              expected.delete(op.member);
            } else {
              await ranks.replace(board, op.entries);
              expected.clear();
              for (const e of op.entries) expected.set(e.member, e);
            }
          }
          const ranking = oracle(expected.values());

          expect(await ranks.count(board)).toBe(ranking.length);
          expect(await ranks.top(board, pool.length)).toEqual(ranking);
          expect(await ranks.top(board, 3, offset)).toEqual(ranking.slice(offset, offset + 3));
          expect(await ranks.ranks(board, [...pool, 'never-set'])).toEqual([
            ...pool.map((member) => ranking.find((e) => e.member === member)),
            undefined,
          ]);
          for (const member of pool) {
            const at = ranking.findIndex((e) => e.member === member);
            expect(await ranks.rank(board, member)).toEqual(ranking[at]);
            expect(await ranks.around(board, member, radius)).toEqual(at < 0 ? [] : ranking.slice(Math.max(0, at - radius), at + radius + 1));
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('rank index on a Redis that loses its data or goes away', () => {
  let server: RedisServer;
  let ports: Ports;

  beforeAll(async () => {
    server = await startRedis();
    const metrics = createMetrics();
    ports = await createPorts({
      redisUrl: server.url,
      redisKeyPrefix: 'loss:',
      breaker: createBreaker('redis', 3, 500, metrics),
      metrics,
      log: silentLog,
    });
  });
  afterAll(async () => {
    await ports?.close();
    await server?.destroy();
  });

  it('reports a flushed board as not loaded, so the caller rebuilds it', async () => {
    const ranks = ports.rankIndex;
    await ranks.replace('global', [m('a', 1), m('b', 2)]);
    expect(await ranks.isLoaded('global')).toBe(true);

    await ports.redis!.flushdb();

    expect(await ranks.isLoaded('global')).toBe(false);
    expect(await ranks.count('global')).toBe(0);
    await ranks.replace('global', [m('a', 1), m('b', 2)]);
    expect(await ranks.isLoaded('global')).toBe(true);
    expect(members(await ranks.top('global', 10))).toEqual(['b', 'a']);
  });

  it('sends each script once, then only its hash, and sends it again after Redis forgets it', async () => {
    const ranks = ports.rankIndex;
    const redis = ports.redis!;
    /** Calls of each EVAL command since Redis started, from INFO commandstats. */
    const evalCalls = async () => {
      const stats = await redis.info('commandstats');
      const calls = (command: string) => Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);
      return { eval: calls('eval'), evalsha: calls('evalsha') };
    };
    await ranks.set('scripts', [m('a', 1)]);
    const before = await evalCalls();
    await Promise.all(Array.from({ length: 20 }, (_, i) => ranks.set('scripts', [m(`m${i}`, i)])));
    const steady = await evalCalls();
    expect(steady.eval - before.eval).toBe(0);
    expect(steady.evalsha - before.evalsha).toBe(20);

    await redis.script('FLUSH');
    await ranks.set('scripts', [m('b', 2)]);
    expect((await evalCalls()).eval - steady.eval).toBe(1);
    expect(members(await ranks.top('scripts', 3))).toEqual(['m19', 'm18', 'm17']);
  });

  it('fails fast with RankIndexUnavailableError while Redis is down, and works again after a restart', async () => {
    const ranks = ports.rankIndex;
    await ranks.replace('global', [m('a', 1)]);
    await server.kill();

    for (const call of [
      () => ranks.rank('global', 'a'),
      () => ranks.top('global', 10),
      () => ranks.set('global', [m('b', 2)]),
      () => ranks.isLoaded('global'),
    ]) {
      const started = performance.now();
      await expect(call()).rejects.toBeInstanceOf(RankIndexUnavailableError);
      // Fail fast, not hang: the client's command timeout is 500 ms, and a closed connection fails at once.
      expect(performance.now() - started).toBeLessThan(1_000);
    }

    await server.start();
    await expect.poll(() => ranks.isLoaded('global').catch(() => 'unavailable'), { timeout: 10_000 }).toBe(false);
    await ranks.replace('global', [m('a', 1)]);
    expect(await ranks.rank('global', 'a')).toMatchObject({ rank: 1 });
  });
});
