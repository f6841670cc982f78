// Achievements: creation and validation over HTTP, and the service's recordActions/evaluate
// driven with real transactions on PGlite and PostgreSQL, as the scoring feature calls them.
import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompletedAction } from '../../src/features/achievements/service.js';
import { achievements, userAchievements } from '../../src/platform/db/schema.js';
import { withTransaction } from '../../src/platform/db/transaction.js';
import { signUp, startTestApp, type TestApp } from '../harness/app.js';

const CHECKIN = randomUUID();
const SOLVE = randomUUID();
const checkin = (userId: string, at: string): CompletedAction => ({
  userId,
  actionTypeId: CHECKIN,
  actionTypeKey: 'checkin',
  completedAt: new Date(at),
  utcOffsetMinutes: 0,
});
const solve = (userId: string, at: string): CompletedAction => ({
  userId,
  actionTypeId: SOLVE,
  actionTypeKey: 'solve',
  completedAt: new Date(at),
  utcOffsetMinutes: 0,
});

describe.each(['pglite', 'postgres'] as const)('achievements on %s', (store) => {
  let app: TestApp;
  let organizer: string;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    app = await startTestApp({ store, env: { STAMPEDE_ADMIN_EMAIL: 'root@example.com', STAMPEDE_ADMIN_PASSWORD: 'rootpassword' } });
    organizer = (await (await app.request('POST', '/api/auth/login', { body: { email: 'root@example.com', password: 'rootpassword' } })).json())
      .token;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.disconnect();
    await app?.stop();
  });

  const create = (body: unknown, token = organizer) => app.request('POST', '/api/achievements', { token, body });
  const created = async (body: Record<string, unknown>) => {
    const response = await create({ description: '', ...body });
    expect(response.status, await response.clone().text()).toBe(201);
  };
  const record = (...actions: CompletedAction[]) => withTransaction(app.platform.database.db, (tx) => app.achievements.recordActions(tx, actions));
  const evaluate = (userId: string, scores: Record<string, number> = {}, ranks: Record<string, number> = {}) =>
    app.achievements.evaluate({ userId, scores, ranks });
  const unique = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

  async function socketFor(token: string): Promise<Socket> {
    const socket = connect(app.url, { auth: { token }, transports: ['websocket'], reconnection: false });
    sockets.push(socket);
    await new Promise((resolve) => socket.once('ready', resolve));
    return socket;
  }

  it('creates achievements (organizer), lists them at once, and refuses a duplicate key with 409', async () => {
    const key = unique('first-blood');
    const response = await create({
      key,
      name: 'First blood',
      description: 'Solve one challenge',
      condition: { type: 'actionCount', actionType: 'solve', atLeast: 1 },
    });
    expect(response.status).toBe(201);
    expect((await response.json()).achievement).toMatchObject({
      key,
      name: 'First blood',
      condition: { type: 'actionCount', actionType: 'solve', atLeast: 1 },
    });

    // The list is cached; creating must invalidate it.
    const before = (await (await app.request('GET', '/api/achievements')).json()).achievements.length;
    await created({ key: unique('scorer'), name: 'Scorer', condition: { type: 'score', atLeast: 10 } });
    const list = (await (await app.request('GET', '/api/achievements')).json()).achievements;
    expect(list).toHaveLength(before + 1);
    // The board defaults to global and is stored explicitly.
    expect(list.at(-1).condition).toEqual({ type: 'score', board: 'global', atLeast: 10 });

    const duplicate = await create({ key, name: 'Again', description: '', condition: { type: 'score', atLeast: 1 } });
    expect(duplicate.status).toBe(409);
    expect((await duplicate.json()).code).toBe('ACHIEVEMENT_KEY_TAKEN');
  });

  it('refuses nonsense conditions with 400 and non-organizers with 401/403', async () => {
    const bad = [
      { type: 'score', atLeast: 0 },
      { type: 'score', atLeast: -5 },
      { type: 'score', atLeast: '10' },
      { type: 'actionCount', atLeast: 3 },
      { type: 'actionCount', actionType: 'solve', atLeast: 2.5 },
      { type: 'streak', atLeast: 0 },
      { type: 'rank', atMost: 3 },
      { type: 'rank', board: 'global', atMost: 0 },
      { type: 'rank', board: 'global', atMost: 3, atLeast: 1 },
      { type: 'rank', board: 'no spaces', atMost: 3 },
      { type: 'karma', atLeast: 1 },
      {},
      'score >= 10',
    ];
    for (const condition of bad) {
      const response = await create({ key: unique('bad'), name: 'Bad', description: '', condition });
      expect(response.status, JSON.stringify(condition)).toBe(400);
      expect((await response.json()).code).toBe('VALIDATION_FAILED');
    }
    const badKey = await create({ key: 'has space', name: 'Bad', description: '', condition: { type: 'score', atLeast: 1 } });
    expect(badKey.status).toBe(400);

    const body = { key: unique('nope'), name: 'Nope', description: '', condition: { type: 'score', atLeast: 1 } };
    const player = await signUp(app);
    expect((await create(body, player.token)).status).toBe(403);
    expect((await app.request('POST', '/api/achievements', { body })).status).toBe(401);
  });

  it('awards count, score, rank and streak achievements once each, when met', async () => {
    const tag = unique('t');
    await created({ key: `${tag}-count`, name: 'Regular', condition: { type: 'actionCount', actionType: 'checkin', atLeast: 3 } });
    await created({ key: `${tag}-score`, name: 'Hundred', condition: { type: 'score', board: 'global', atLeast: 100 } });
    await created({ key: `${tag}-rank`, name: 'Podium', condition: { type: 'rank', board: 'global', atMost: 3 } });
    await created({ key: `${tag}-streak`, name: 'Three days', condition: { type: 'streak', atLeast: 3 } });
    await created({ key: `${tag}-solve-streak`, name: 'Solver', condition: { type: 'streak', actionType: 'solve', atLeast: 2 } });
    const mine = (awards: Array<{ key: string }>) =>
      awards
        .map((award) => award.key)
        .filter((key) => key.startsWith(tag))
        .sort();

    const { user, token } = await signUp(app);
    await record(checkin(user.id, '2026-04-01T10:00:00Z'), checkin(user.id, '2026-04-02T10:00:00Z'), solve(user.id, '2026-04-02T11:00:00Z'));
    expect(mine(await evaluate(user.id, { global: 99 }, { global: 4 }))).toEqual([]);

    await record(checkin(user.id, '2026-04-03T10:00:00Z'));
    expect(mine(await evaluate(user.id, { global: 100 }, { global: 4 }))).toEqual([`${tag}-count`, `${tag}-score`, `${tag}-streak`]);
    // Met again: nothing new.
    expect(mine(await evaluate(user.id, { global: 150 }, { global: 4 }))).toEqual([]);
    expect(mine(await evaluate(user.id, { global: 150 }, { global: 3 }))).toEqual([`${tag}-rank`]);
    await record(solve(user.id, '2026-04-03T12:00:00Z'));
    expect(mine(await evaluate(user.id, {}, {}))).toEqual([`${tag}-solve-streak`]);

    const listed = await app.request('GET', '/api/me/achievements', { token });
    expect(listed.status).toBe(200);
    const awards = (await listed.json()).achievements.filter((award: { key: string }) => award.key.startsWith(tag));
    expect(awards.map((award: { key: string }) => award.key).sort()).toEqual([
      `${tag}-count`,
      `${tag}-rank`,
      `${tag}-score`,
      `${tag}-solve-streak`,
      `${tag}-streak`,
    ]);
    expect(awards[0]).toEqual({ key: expect.any(String), name: expect.any(String), description: '', awardedAt: expect.any(String) });
    expect((await app.request('GET', '/api/me/achievements')).status).toBe(401);
  });

  it('awards on a board other than the global one only for that board', async () => {
    const key = unique('event-star');
    await created({ key, name: 'Event star', condition: { type: 'score', board: 'event:spring', atLeast: 5 } });
    const { user } = await signUp(app);
    expect((await evaluate(user.id, { global: 50 })).map((award) => award.key)).not.toContain(key);
    expect((await evaluate(user.id, { global: 50, 'event:spring': 5 })).map((award) => award.key)).toContain(key);
  });

  it('awards an achievement created after the user met it, on their next action', async () => {
    const { user } = await signUp(app);
    await record(solve(user.id, '2026-04-01T10:00:00Z'), solve(user.id, '2026-04-01T11:00:00Z'));
    const key = unique('late');
    // Warms the cached definitions and awards, which creating the achievement must invalidate.
    await evaluate(user.id);
    await created({ key, name: 'Late', condition: { type: 'actionCount', actionType: 'solve', atLeast: 2 } });
    expect(await evaluate(user.id)).toContainEqual({ key, name: 'Late' });
  });

  it('awards exactly once under concurrent evaluate calls, with one realtime event', async () => {
    const key = unique('racer');
    await created({ key, name: 'Racer', description: 'Score 1', condition: { type: 'score', atLeast: 1 } });
    const { user, token } = await signUp(app);
    const socket = await socketFor(token);
    const events: Array<{ key: string }> = [];
    socket.on('achievement', (payload) => events.push(payload));

    const results = await Promise.all(Array.from({ length: 25 }, () => evaluate(user.id, { global: 10 })));
    expect(results.flat().filter((award) => award.key === key)).toHaveLength(1);
    const held = await app.platform.database.db
      .select({ key: achievements.key })
      .from(userAchievements)
      .innerJoin(achievements, eq(achievements.id, userAchievements.achievementId))
      .where(and(eq(userAchievements.userId, user.id), eq(achievements.key, key)));
    expect(held).toHaveLength(1);

    // Anything sent before this marker arrives before it, on the same user channel.
    const marker = randomUUID();
    const flushed = new Promise<void>((resolve) => socket.on('flush', (payload) => payload === marker && resolve()));
    app.gateway.toUser(user.id, 'flush', marker);
    await flushed;
    expect(events.filter((event) => event.key === key)).toEqual([{ key, name: 'Racer', description: 'Score 1', awardedAt: expect.any(String) }]);
  });
});
