// Leaderboards over HTTP and Socket.IO, on PGlite and on PostgreSQL + Redis: operators, tie
// order, pages and neighbours, periodic boards across a rollover (injected clock), caching
// headers, snapshots, and the live score and top-N pushes.
import { randomUUID } from 'node:crypto';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestApp, type TestApp } from '../harness/app.js';
import { waitFor } from '../harness/processes.js';
import { ADMIN_ENV, adminSession } from './events-fixtures.js';

describe.each([
  { store: 'pglite', redis: false },
  { store: 'postgres', redis: true },
] as const)('leaderboards on $store (redis: $redis)', ({ store, redis }) => {
  let app: TestApp;
  let admin: string;
  const sockets: Socket[] = [];
  const start = new Date('2026-11-22T10:00:00Z').getTime();
  let clock = start;

  beforeAll(async () => {
    app = await startTestApp({ store, redis, env: { ...ADMIN_ENV, SNAPSHOT_SECONDS: '1' } });
    admin = (await adminSession(app)).token;
    app.scoring.clock.now = () => new Date(clock);
  });
  afterAll(async () => {
    for (const socket of sockets) socket.disconnect();
    await app?.stop();
  });

  const name = (prefix = 'b') => `${prefix}-${randomUUID().slice(0, 8)}`;

  async function createBoard(body: Record<string, unknown> = {}) {
    const response = await app.request('POST', '/api/leaderboards', { token: admin, body: { name: name(), ...body } });
    expect(response.status, await response.clone().text()).toBe(201);
    return response.json();
  }

  async function typeFeeding(boards: string[], baseScore = 10) {
    const response = await app.request('POST', '/api/action-types', {
      token: admin,
      body: { key: name('t'), name: 'Play', baseScore, rules: { boards } },
    });
    expect(response.status, await response.clone().text()).toBe(201);
    return (await response.json()).key as string;
  }

  /** A type worth `score` on `board`, completed once by the user. */
  async function score(token: string, board: string, value: number) {
    const type = await typeFeeding([board], value);
    const response = await app.request('POST', '/api/actions/complete', { token, body: { actionType: type, identifier: randomUUID() } });
    expect(response.status, await response.clone().text()).toBe(200);
    return response.json();
  }

  const page = async (board: string, query = '') => {
    const response = await app.request('GET', `/api/leaderboards/${board}${query}`);
    return { status: response.status, cache: response.headers.get('x-cache'), body: await response.json() };
  };

  it('answers 404 for unknown boards, including the board of an event that does not exist', async () => {
    const player = await signUp(app);
    for (const board of ['nope', `event:${randomUUID()}`]) {
      expect((await page(board)).status).toBe(404);
      expect((await app.request('GET', `/api/leaderboards/${board}/me`, { token: player.token })).status).toBe(404);
      expect((await app.request('GET', `/api/leaderboards/${board}/snapshots`)).status).toBe(404);
      expect((await app.request('PUT', `/api/leaderboards/${board}/scores/${player.user.id}`, { token: admin, body: { score: 1 } })).status).toBe(
        404,
      );
    }
  });

  it('creates boards for organizers only, idempotently, refusing conflicts and bad definitions', async () => {
    const player = await signUp(app);
    expect((await app.request('POST', '/api/leaderboards', { token: player.token, body: { name: name() } })).status).toBe(403);
    const board = await createBoard({ operator: 'best', reset: 'weekly', timeZone: 'Europe/Paris' });
    expect(board).toMatchObject({
      operator: 'best',
      reset: 'weekly',
      timeZone: 'Europe/Paris',
      resetHour: 0,
      period: '2026-W47',
      nextResetAt: '2026-11-22T23:00:00.000Z',
    });
    expect(
      (
        await app.request('POST', '/api/leaderboards', {
          token: admin,
          body: { name: board.name, operator: 'best', reset: 'weekly', timeZone: 'Europe/Paris' },
        })
      ).status,
    ).toBe(201);
    const conflict = await app.request('POST', '/api/leaderboards', { token: admin, body: { name: board.name, operator: 'incr' } });
    expect(conflict.status).toBe(409);
    expect((await conflict.json()).code).toBe('BOARD_NAME_TAKEN');
    for (const body of [
      { name: name(), timeZone: 'Mars/Olympus' },
      { name: `event:${randomUUID()}` },
      { name: 'bad name' },
      { name: name(), operator: 'max' },
      { name: name(), resetHour: 24 },
    ]) {
      const response = await app.request('POST', '/api/leaderboards', { token: admin, body });
      expect(response.status, JSON.stringify(body)).toBe(400);
    }
    const list = await app.request('GET', '/api/leaderboards');
    expect((await list.json()).leaderboards.map((b: { name: string }) => b.name)).toEqual(expect.arrayContaining(['global', board.name]));
  });

  it('adds with incr, keeps the best with best, and ranks equal scores by who got there first', async () => {
    const incr = (await createBoard()).name;
    const best = (await createBoard({ operator: 'best' })).name;
    const [a, b, c] = [await signUp(app), await signUp(app), await signUp(app)];
    await score(a.token, incr, 10);
    await score(a.token, incr, 5);
    expect((await page(incr)).body.entries).toEqual([{ rank: 1, userId: a.user.id, handle: expect.any(String), score: 15 }]);

    clock = start + 1_000;
    await score(b.token, best, 30);
    clock = start + 2_000;
    await score(c.token, best, 30);
    clock = start + 3_000;
    // A lower score changes nothing, not even b's place in the tie.
    const lower = await score(b.token, best, 20);
    expect(lower.score).toBe(30);
    clock = start;
    const ranked = (await page(best)).body.entries;
    expect(ranked.map((entry: { userId: string; score: number }) => [entry.userId, entry.score])).toEqual([
      [b.user.id, 30],
      [c.user.id, 30],
    ]);
    await score(c.token, best, 31);
    expect((await page(best)).body.entries[0]).toMatchObject({ rank: 1, userId: c.user.id, score: 31 });
  });

  it('writes `set` only through the organizer endpoint, and only organizers use it', async () => {
    const board = (await createBoard({ operator: 'set' })).name;
    const [player, other] = [await signUp(app), await signUp(app)];
    const forbidden = await app.request('PUT', `/api/leaderboards/${board}/scores/${player.user.id}`, { token: player.token, body: { score: 999 } });
    expect(forbidden.status).toBe(403);
    const feeding = await app.request('POST', '/api/action-types', {
      token: admin,
      body: { key: name('t'), name: 'x', baseScore: 1, rules: { boards: [board] } },
    });
    expect(feeding.status).toBe(400);
    for (const value of [40, 25]) {
      const set = await app.request('PUT', `/api/leaderboards/${board}/scores/${player.user.id}`, { token: admin, body: { score: value } });
      expect(set.status).toBe(200);
      expect(await set.json()).toMatchObject({ board, period: 'all', userId: player.user.id, score: value, rank: 1 });
    }
    expect((await app.request('PUT', `/api/leaderboards/${board}/scores/${other.user.id}`, { token: admin, body: { score: -1 } })).status).toBe(400);
    expect((await app.request('PUT', `/api/leaderboards/${board}/scores/${randomUUID()}`, { token: admin, body: { score: 1 } })).status).toBe(404);
  });

  it('pages with limit, offset and total, and shows my neighbourhood', async () => {
    const board = (await createBoard()).name;
    const users = [];
    for (let i = 1; i <= 12; i++) {
      const user = await signUp(app);
      users.push(user);
      await score(user.token, board, i * 10);
    }
    const second = await page(board, '?limit=5&offset=5');
    expect(second.body).toMatchObject({ total: 12, period: 'all', nextResetAt: null });
    expect(second.body.entries.map((entry: { rank: number; score: number }) => [entry.rank, entry.score])).toEqual([
      [6, 70],
      [7, 60],
      [8, 50],
      [9, 40],
      [10, 30],
    ]);
    const me = await app.request('GET', `/api/leaderboards/${board}/me?around=2`, { token: users[5]!.token });
    expect(await me.json()).toMatchObject({
      rank: 7,
      score: 60,
      total: 12,
      entries: [{ rank: 5 }, { rank: 6 }, { rank: 7, userId: users[5]!.user.id }, { rank: 8 }, { rank: 9 }],
    });
    const stranger = await signUp(app);
    expect(await (await app.request('GET', `/api/leaderboards/${board}/me`, { token: stranger.token })).json()).toMatchObject({
      rank: null,
      score: null,
      entries: [],
    });
    expect((await page(board, '?limit=0')).status).toBe(400);
    expect((await page(board, '?limit=abc')).status).toBe(400);
  });

  it('caches a page for a minute and drops it on the next change', async () => {
    const board = (await createBoard()).name;
    const user = await signUp(app);
    await score(user.token, board, 5);
    expect((await page(board)).cache).toBe('MISS');
    expect((await page(board)).cache).toBe('HIT');
    await score(user.token, board, 5);
    const fresh = await page(board);
    expect(fresh.cache).toBe('MISS');
    expect(fresh.body.entries[0].score).toBe(10);
    const scores = async () => (await app.request('GET', '/api/me/scores', { token: user.token })).headers.get('x-cache');
    expect(await scores()).toBe('MISS');
    expect(await scores()).toBe('HIT');
  });

  it('rolls a daily board over at the zone midnight, keeping the past period queryable', async () => {
    const daily = await createBoard({ reset: 'daily', timeZone: 'Europe/Paris' });
    const user = await signUp(app);
    clock = new Date('2026-11-22T22:30:00Z').getTime(); // 23:30 in Paris
    const late = await score(user.token, daily.name, 10);
    expect(late.boards[0]).toMatchObject({ period: '2026-11-22', score: 10 });
    expect((await page(daily.name)).body).toMatchObject({ period: '2026-11-22', nextResetAt: '2026-11-22T23:00:00.000Z' });
    clock = new Date('2026-11-22T23:30:00Z').getTime(); // 00:30 the next day in Paris
    const early = await score(user.token, daily.name, 3);
    expect(early.boards[0]).toMatchObject({ period: '2026-11-23', score: 3, previousRank: null });
    const today = (await page(daily.name)).body;
    expect(today).toMatchObject({ period: '2026-11-23', nextResetAt: '2026-11-23T23:00:00.000Z', total: 1 });
    expect(today.entries[0].score).toBe(3);
    const yesterday = (await page(daily.name, '?period=2026-11-22')).body;
    expect(yesterday).toMatchObject({ period: '2026-11-22', total: 1 });
    expect(yesterday.entries[0].score).toBe(10);
    expect((await page(daily.name, '?period=2026-W47')).status).toBe(400);
    clock = start;
  });

  it('saves snapshots of changed boards every SNAPSHOT_SECONDS and lists them by time', async () => {
    const board = (await createBoard()).name;
    const user = await signUp(app);
    await score(user.token, board, 42);
    const from = new Date(start - 60_000).toISOString();
    const to = new Date(start + 60_000).toISOString();
    let snapshots: Array<{ takenAt: string; entries: unknown[] }> = [];
    await waitFor(
      async () => {
        snapshots = (await (await app.request('GET', `/api/leaderboards/${board}/snapshots?from=${from}&to=${to}`)).json()).snapshots;
        return snapshots.length > 0;
      },
      5_000,
      'a snapshot',
    );
    expect(snapshots[0]).toEqual({
      period: 'all',
      takenAt: new Date(start).toISOString(),
      entries: [{ rank: 1, userId: user.user.id, handle: expect.any(String), score: 42 }],
    });
    // Nothing outside the window, and a bad window is a 400.
    const earlier = await app.request('GET', `/api/leaderboards/${board}/snapshots?to=${from}`);
    expect((await earlier.json()).snapshots).toEqual([]);
    expect((await app.request('GET', `/api/leaderboards/${board}/snapshots?from=${to}&to=${from}`)).status).toBe(400);
    expect((await app.request('GET', `/api/leaderboards/${board}/snapshots?from=yesterday`)).status).toBe(400);
  });

  async function socketFor(token: string): Promise<Socket> {
    const socket = connect(app.url, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
    sockets.push(socket);
    await new Promise((resolve) => socket.once('ready', resolve));
    return socket;
  }

  it('pushes score events to the user and coalesced, versioned top-N to the board, marking newcomers', async () => {
    const board = (await createBoard()).name;
    const [watcher, a, b] = [await signUp(app), await signUp(app), await signUp(app)];
    const screen = await socketFor(watcher.token);
    expect(await screen.timeout(5_000).emitWithAck('subscribe', `board:${board}`)).toMatchObject({ ok: true });
    const tops: Array<{ board: string; version: number; entries: Array<{ userId: string; score: number; entered?: boolean }> }> = [];
    screen.on('leaderboard', (payload) => tops.push(payload));
    const mine = await socketFor(a.token);
    const scores: unknown[] = [];
    mine.on('score', (payload) => scores.push(payload));

    await score(a.token, board, 10);
    await waitFor(async () => scores.length === 1 && tops.length >= 1, 5_000, 'the first pushes');
    expect(scores[0]).toEqual({ board, period: 'all', score: 10, rank: 1, delta: 10 });
    expect(tops[0]!.entries).toEqual([{ rank: 1, userId: a.user.id, handle: expect.any(String), score: 10, entered: true }]);

    // A burst of 20 changes is coalesced into a few pushes, the last with the final state.
    const burst = Date.now();
    await Promise.all(Array.from({ length: 20 }, () => score(b.token, board, 1)));
    await waitFor(async () => tops.at(-1)!.entries.some((entry) => entry.userId === b.user.id && entry.score === 20), 5_000, 'the final top');
    const elapsed = Date.now() - burst;
    expect(tops.length - 1).toBeLessThanOrEqual(Math.ceil(elapsed / 250) + 1);
    expect(tops.length - 1).toBeLessThan(20);
    const last = tops.at(-1)!;
    expect(last.entries.map((entry) => [entry.userId, entry.score])).toEqual([
      [b.user.id, 20],
      [a.user.id, 10],
    ]);
    const firstWithB = tops.find((top) => top.entries.some((entry) => entry.userId === b.user.id))!;
    expect(firstWithB.entries.find((entry) => entry.userId === b.user.id)!.entered).toBe(true);
    expect(firstWithB.entries.find((entry) => entry.userId === a.user.id)!.entered).toBeUndefined();
    for (let i = 1; i < tops.length; i++) expect(tops[i]!.version).toBeGreaterThan(tops[i - 1]!.version);
  });
});
