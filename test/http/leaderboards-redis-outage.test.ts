// The rank index on a Redis that dies and comes back empty: while it is down, actions still
// score and ranks come from PostgreSQL; once it is back, each board is rebuilt from the record
// before the index answers again.
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestApp, type TestApp } from '../harness/app.js';
import { startRedis, waitFor, type RedisServer } from '../harness/processes.js';
import { ADMIN_ENV, adminSession, query } from './events-fixtures.js';

describe('leaderboards through a Redis outage', () => {
  let redis: RedisServer;
  let app: TestApp;
  let admin: string;
  beforeAll(async () => {
    redis = await startRedis();
    app = await startTestApp({ store: 'postgres', redisUrl: redis.url, env: { ...ADMIN_ENV, BREAKER_HALF_OPEN_MS: '500' } });
    admin = (await adminSession(app)).token;
  });
  afterAll(async () => {
    await app?.stop();
    await redis?.destroy();
  });

  it('answers from PostgreSQL while Redis is down and rebuilds the board once it returns empty', async () => {
    const board = `outage-${randomUUID().slice(0, 8)}`;
    expect((await app.request('POST', '/api/leaderboards', { token: admin, body: { name: board } })).status).toBe(201);
    const typeResponse = await app.request('POST', '/api/action-types', {
      token: admin,
      body: { key: board, name: 'x', baseScore: 10, rules: { boards: [board] } },
    });
    const type = (await typeResponse.json()).key;
    const users = await Promise.all([1, 2, 3].map(() => signUp(app)));
    const complete = async (token: string) => {
      const response = await app.request('POST', '/api/actions/complete', { token, body: { actionType: type, identifier: randomUUID() } });
      expect(response.status, await response.clone().text()).toBe(200);
      return response.json();
    };
    const order = async () =>
      (await (await app.request('GET', `/api/leaderboards/${board}?limit=10`)).json()).entries.map((e: { userId: string; score: number }) => [
        e.userId,
        e.score,
      ]);

    await complete(users[0]!.token);
    await complete(users[0]!.token);
    await complete(users[1]!.token);
    expect(await order()).toEqual([
      [users[0]!.user.id, 20],
      [users[1]!.user.id, 10],
    ]);

    await redis.kill();
    // users[2] reaches 20 after users[0]: ranked behind on the tie, computed by PostgreSQL.
    await complete(users[2]!.token);
    const during = await complete(users[2]!.token);
    expect(during).toMatchObject({ score: 20, rank: 2, previousRank: 3 });
    expect(await order()).toEqual([
      [users[0]!.user.id, 20],
      [users[2]!.user.id, 20],
      [users[1]!.user.id, 10],
    ]);
    const me = await (await app.request('GET', `/api/leaderboards/${board}/me?around=1`, { token: users[1]!.token })).json();
    expect(me).toMatchObject({ rank: 3, score: 10, total: 3 });
    expect(await (await app.request('GET', '/metrics')).text()).toMatch(/fallback_used_total\{port="rank-index"\} [1-9]/);

    await redis.start();
    await complete(users[1]!.token);
    await complete(users[1]!.token);
    // Redis came back without the board. The next use finds it unloaded (or missed writes) and
    // rebuilds it; from then on the index holds exactly what PostgreSQL holds.
    await waitFor(
      async () => (await app.scoring.index.ready(board, 'all')) && (await app.platform.rankIndex.count(board)) === 3,
      15_000,
      'the board rebuilt in Redis',
    );
    const record = await query<{ user_id: string; score: number }>(
      app,
      sql`select user_id::text, score::int from leaderboard_scores where board = ${board} order by score desc, reached_at, user_id`,
    );
    const top = await app.platform.rankIndex.top(board, 10);
    expect(top.map((entry) => [entry.member, entry.score])).toEqual(record.map((row) => [row.user_id, row.score]));
    expect(top[0]).toMatchObject({ member: users[1]!.user.id, score: 30, rank: 1 });
  });
});
