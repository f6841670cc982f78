// Achievements and streaks end to end: actions completed over HTTP (the scoring feature) update
// counts and streaks in their transaction and award achievements after commit, pushed on the
// user's channel. On PGlite, and on PostgreSQL + Redis (shared caches).
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDay } from '../../src/features/achievements/streaks.js';
import { userActionCounts } from '../../src/platform/db/schema.js';
import { signUp, startTestApp, type TestApp } from '../harness/app.js';

describe.each([
  { store: 'pglite', redis: false },
  { store: 'postgres', redis: true },
] as const)('achievements through POST /api/actions/complete on $store (redis: $redis)', ({ store, redis }) => {
  let app: TestApp;
  let organizer: string;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    app = await startTestApp({ store, redis, env: { STAMPEDE_ADMIN_EMAIL: 'root@example.com', STAMPEDE_ADMIN_PASSWORD: 'rootpassword' } });
    organizer = (await (await app.request('POST', '/api/auth/login', { body: { email: 'root@example.com', password: 'rootpassword' } })).json())
      .token;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.disconnect();
    await app?.stop();
  });

  async function post(url: string, body: unknown, token = organizer) {
    const response = await app.request('POST', url, { token, body });
    expect(response.status, `${url}: ${await response.clone().text()}`).toBeLessThan(300);
    return response.json();
  }

  it('counts each action once, keeps the streak in the user offset and awards each achievement once, live', async () => {
    const typeKey = `checkin-${randomUUID().slice(0, 8)}`;
    const actionType = await post('/api/action-types', { key: typeKey, name: 'Check-in', baseScore: 10, active: true, rules: {} });
    const tag = typeKey;
    await post('/api/achievements', {
      key: `${tag}-streak`,
      name: 'Day one',
      description: '',
      condition: { type: 'streak', actionType: typeKey, atLeast: 1 },
    });
    await post('/api/achievements', {
      key: `${tag}-twice`,
      name: 'Twice',
      description: '',
      condition: { type: 'actionCount', actionType: typeKey, atLeast: 2 },
    });
    await post('/api/achievements', { key: `${tag}-score`, name: 'Twenty', description: '', condition: { type: 'score', atLeast: 20 } });
    await post('/api/achievements', {
      key: `${tag}-thrice`,
      name: 'Thrice',
      description: '',
      condition: { type: 'actionCount', actionType: typeKey, atLeast: 3 },
    });

    const { user, token } = await signUp(app);
    await app.request('PUT', '/api/me/settings', { token, body: { utcOffsetMinutes: 840 } });
    const socket = connect(app.url, { auth: { token }, transports: ['websocket'], reconnection: false });
    sockets.push(socket);
    await new Promise((resolve) => socket.once('ready', resolve));
    const awarded: string[] = [];
    socket.on('achievement', (payload: { key: string }) => payload.key.startsWith(tag) && awarded.push(payload.key));

    const complete = (identifier: string) => app.request('POST', '/api/actions/complete', { token, body: { actionType: typeKey, identifier } });
    expect((await complete('first')).status).toBe(200);
    await expect.poll(() => [...awarded], { timeout: 5_000, interval: 20 }).toEqual([`${tag}-streak`]);

    expect((await complete('second')).status).toBe(200);
    await expect.poll(() => [...awarded].sort(), { timeout: 5_000, interval: 20 }).toEqual([`${tag}-score`, `${tag}-streak`, `${tag}-twice`]);

    // A replay scores nothing and counts nothing, so "three" is never reached.
    const replay = await complete('second');
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await app.platform.database.db.select().from(userActionCounts).where(eq(userActionCounts.actionTypeId, actionType.id))).toEqual([
      { userId: user.id, actionTypeId: actionType.id, actionTypeKey: typeKey, count: 2 },
    ]);

    const mine = (await (await app.request('GET', '/api/me/achievements', { token })).json()).achievements.map((award: { key: string }) => award.key);
    expect(mine.filter((key: string) => key.startsWith(tag)).sort()).toEqual([`${tag}-score`, `${tag}-streak`, `${tag}-twice`]);
    expect(awarded).toHaveLength(3);

    const streaks = await (await app.request('GET', '/api/me/streaks', { token })).json();
    expect(streaks.utcOffsetMinutes).toBe(840);
    expect(streaks.byActionType[typeKey]).toMatchObject({ current: 1, longest: 1, lastDay: localDay(new Date(), 840) });
    expect(streaks.overall).toMatchObject({ current: 1, longest: 1 });
  });

  it('evaluates achievements on an action that moves no score', async () => {
    // On a `best` board a lower result changes no score; the action still counts.
    const tag = randomUUID().slice(0, 8);
    const board = `best-${tag}`;
    await post('/api/leaderboards', { name: board, operator: 'best' });
    await post('/api/action-types', { key: `high-${tag}`, name: 'High', baseScore: 100, active: true, rules: { boards: [board] } });
    await post('/api/action-types', { key: `low-${tag}`, name: 'Low', baseScore: 5, active: true, rules: { boards: [board] } });
    await post('/api/achievements', {
      key: `${tag}-low`,
      name: 'Tried low',
      description: '',
      condition: { type: 'actionCount', actionType: `low-${tag}`, atLeast: 1 },
    });
    const { token } = await signUp(app);
    const complete = (actionType: string) => app.request('POST', '/api/actions/complete', { token, body: { actionType, identifier: 'only' } });
    expect((await complete(`high-${tag}`)).status).toBe(200);
    expect(await (await complete(`low-${tag}`)).json()).toMatchObject({ scoreEarned: 5, score: 100 });
    await expect
      .poll(
        async () =>
          (await (await app.request('GET', '/api/me/achievements', { token })).json()).achievements.map((award: { key: string }) => award.key),
        { timeout: 5_000, interval: 20 },
      )
      .toEqual([`${tag}-low`]);
  });
});
