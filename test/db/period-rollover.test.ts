// 400 rollovers of a daily board (injected clock): a period that is over gets its final
// snapshot, its rank index is dropped, and its reads come from PostgreSQL. The number of
// indexes in memory, and of keys in Redis, stays flat instead of growing by one a day.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryRankIndex } from '../../src/platform/rank-index/memory.js';
import { signUp, startTestApp, type TestApp } from '../harness/app.js';

const DAY_MS = 86_400_000;
const ROLLOVERS = 400;
const WARM_UP = 10;

describe.each([
  { store: 'pglite', redis: false },
  { store: 'postgres', redis: true },
] as const)('daily board rollovers on $store (redis: $redis)', ({ store, redis }) => {
  let app: TestApp;
  const prefix = `test:rollover-${store}:`;
  const start = new Date('2026-01-01T12:00:00Z').getTime();
  let clock = start;

  beforeAll(async () => {
    // Snapshots are ticked by the test, not by the timer.
    app = await startTestApp({ store, redis, redisKeyPrefix: prefix, env: { SNAPSHOT_SECONDS: '3600' } });
    app.scoring.clock.now = () => new Date(clock);
  });
  afterAll(async () => {
    await app?.stop();
  });

  /** Indexes held: boards in the in-process index, or every key of this app in Redis. */
  async function footprint(): Promise<number> {
    if (!redis) return (app.platform.rankIndex as MemoryRankIndex).size;
    return (await app.platform.redis!.keys(`${prefix}*`)).length;
  }

  it(`keeps the index footprint flat over ${ROLLOVERS} daily periods and answers past ones from PostgreSQL`, async () => {
    const { user } = await signUp(app);
    const board = 'rollover-daily';
    await app.scoring.ensureBoard(board, { reset: 'daily' });
    const periods: string[] = [];
    let afterWarmUp = 0;

    for (let day = 0; day < ROLLOVERS; day++) {
      clock = start + day * DAY_MS;
      await app.scoring.submitScores(undefined, [{ board, userId: user.id, value: day + 1, reachedAt: new Date(clock) }]);
      const period = periods[periods.push(new Date(clock).toISOString().slice(0, 10)) - 1]!;
      expect((await app.scoring.index.rank(board, period, user.id))?.score).toBe(day + 1);
      await app.scoring.snapshots.tick();
      if (day === WARM_UP) afterWarmUp = await footprint();
    }

    expect(afterWarmUp).toBeGreaterThan(0);
    expect(await footprint()).toBeLessThanOrEqual(afterWarmUp);
    // The global board and today's period; every earlier day was retired.
    expect(app.scoring.index.held().map((held) => `${held.board}@${held.period}`)).toEqual(['global@all', `${board}@${periods.at(-1)}`]);

    // A past period still answers, from the record, and kept its final snapshot.
    expect(await app.scoring.index.top(board, periods[0]!, 5)).toEqual([expect.objectContaining({ userId: user.id, score: 1, rank: 1 })]);
    const response = await app.request(
      'GET',
      `/api/leaderboards/${board}/snapshots?from=${new Date(start).toISOString()}&to=${new Date(start + 2 * DAY_MS).toISOString()}`,
    );
    const snapshots = (await response.json()).snapshots as Array<{ period: string; entries: Array<{ score: number }> }>;
    expect(snapshots.filter((snapshot) => snapshot.period === periods[0]).at(-1)?.entries).toEqual([expect.objectContaining({ score: 1 })]);
  }, 300_000);
});
