// Action types and completions over HTTP, on PGlite and on PostgreSQL + Redis: rules, replays
// (also 50 at once), every 422, bad input, caching headers.
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestApp, type TestApp } from '../harness/app.js';
import { metricValue } from '../harness/metrics.js';
import { waitFor } from '../harness/processes.js';
import { ADMIN_ENV, adminSession, createEvent, organizer as promoteOrganizer, query } from './events-fixtures.js';

describe.each([
  { store: 'pglite', redis: false },
  { store: 'postgres', redis: true },
] as const)('scored actions on $store (redis: $redis)', ({ store, redis }) => {
  let app: TestApp;
  let admin: string;
  const start = new Date('2026-11-22T10:00:00Z').getTime();
  let clock = start;

  beforeAll(async () => {
    app = await startTestApp({ store, redis, env: ADMIN_ENV });
    admin = (await adminSession(app)).token;
    app.scoring.clock.now = () => new Date(clock);
  });
  afterAll(() => app?.stop());

  const key = (prefix = 't') => `${prefix}-${randomUUID().slice(0, 8)}`;

  async function createType(body: Record<string, unknown>) {
    const response = await app.request('POST', '/api/action-types', { token: admin, body: { key: key(), name: 'Solve', baseScore: 10, ...body } });
    expect(response.status, await response.clone().text()).toBe(201);
    return response.json();
  }

  async function complete(token: string, actionType: string, identifier: string, metadata?: unknown) {
    const response = await app.request('POST', '/api/actions/complete', {
      token,
      body: { actionType, identifier, ...(metadata === undefined ? {} : { metadata }) },
    });
    return { status: response.status, headers: response.headers, body: await response.json() };
  }

  it('creates, lists (cached, invalidated on change) and edits action types; only organizers may', async () => {
    const player = await signUp(app);
    const refused = await app.request('POST', '/api/action-types', { token: player.token, body: { key: key(), name: 'x', baseScore: 1 } });
    expect(refused.status).toBe(403);

    const organizer = await promoteOrganizer(app);
    const created = await app.request('POST', '/api/action-types', {
      token: organizer.token,
      body: { key: key('match'), name: 'Match won', baseScore: 50, rules: { multiplier: 1.5 } },
    });
    expect(created.status).toBe(201);
    const type = await created.json();
    expect(type).toMatchObject({ name: 'Match won', baseScore: 50, active: true, rules: { multiplier: 1.5 } });

    const first = await app.request('GET', '/api/action-types', { token: player.token });
    expect(first.headers.get('x-cache')).toBe('MISS');
    const second = await app.request('GET', '/api/action-types', { token: player.token });
    expect(second.headers.get('x-cache')).toBe('HIT');
    expect((await second.json()).actionTypes.map((t: { key: string }) => t.key)).toContain(type.key);

    const patched = await app.request('PATCH', `/api/action-types/${type.id}`, {
      token: organizer.token,
      body: { name: 'Match won!', active: false },
    });
    expect(patched.status).toBe(200);
    const third = await app.request('GET', '/api/action-types', { token: player.token });
    expect(third.headers.get('x-cache')).toBe('MISS');
    expect((await third.json()).actionTypes.find((t: { id: string }) => t.id === type.id)).toMatchObject({ name: 'Match won!', active: false });

    const duplicate = await app.request('POST', '/api/action-types', { token: admin, body: { key: type.key, name: 'again', baseScore: 1 } });
    expect(duplicate.status).toBe(409);
    expect((await duplicate.json()).code).toBe('ACTION_TYPE_KEY_TAKEN');
    expect((await app.request('PATCH', `/api/action-types/${randomUUID()}`, { token: admin, body: { name: 'x' } })).status).toBe(404);
  });

  it('serves a type the moment it is created, while other types are created and read concurrently', async () => {
    const player = await signUp(app);
    const answers = await Promise.all(
      Array.from({ length: 30 }, async (_, i) => {
        const type = await createType({ baseScore: i });
        return complete(player.token, type.key, 'first');
      }),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array.from({ length: 30 }, () => 200));
    const listed = (await (await app.request('GET', '/api/action-types', { token: player.token })).json()).actionTypes;
    for (const answer of answers) expect(listed.map((t: { key: string }) => t.key)).toContain(answer.body.action.actionType);
  });

  it.each([
    ['a negative base score', { baseScore: -5 }],
    ['a non-numeric base score', { baseScore: 'ten' }],
    ['a numeric string base score', { baseScore: '10' }],
    ['a negative cooldown', { rules: { cooldownSeconds: -1 } }],
    ['a non-numeric multiplier', { rules: { multiplier: 'x2' } }],
    ['a negative multiplier', { rules: { multiplier: -1 } }],
    ['a negative maxPerDay', { rules: { maxPerDay: -3 } }],
    ['an unknown rule', { rules: { bonus: 5 } }],
    ['an unknown board', { rules: { boards: ['no-such-board'] } }],
    ['an unknown event', { rules: { eventId: randomUUID() } }],
    ['a window that ends before it starts', { rules: { activeFrom: '2026-11-23T00:00:00Z', activeTo: '2026-11-22T00:00:00Z' } }],
  ])('refuses %s with 400', async (_name, body) => {
    const response = await app.request('POST', '/api/action-types', { token: admin, body: { key: key(), name: 'Bad', baseScore: 1, ...body } });
    expect(response.status).toBe(400);
    expect((await response.json()).code).toBe('VALIDATION_FAILED');
  });

  it('scores an action on global, returns score, rank and previous rank, and replays the original result', async () => {
    const type = await createType({ baseScore: 7, rules: { multiplier: 3 } });
    const alice = await signUp(app);
    const first = await complete(alice.token, type.key, 'challenge-1', { level: 3 });
    expect(first.status).toBe(200);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(first.body).toMatchObject({
      scoreEarned: 21,
      action: { actionType: type.key, identifier: 'challenge-1', metadata: { level: 3 }, scoreEarned: 21 },
    });
    expect(first.body.boards[0]).toMatchObject({ board: 'global', period: 'all' });
    expect(first.body.rank).toBeGreaterThanOrEqual(1);
    expect(first.body.previousRank).toBeNull();

    const second = await complete(alice.token, type.key, 'challenge-2');
    expect(second.body.score).toBe(first.body.score + 21);
    expect(second.body.previousRank).toBe(first.body.rank);

    const replay = await complete(alice.token, type.key, 'challenge-1', { different: true });
    expect(replay.status).toBe(200);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(first.body);
    const [row] = await query<{ n: number }>(app, sql`select count(*)::int as n from actions where user_id = ${alice.user.id}`);
    expect(row!.n).toBe(2);
    const me = await app.request('GET', '/api/me/scores', { token: alice.token });
    expect((await me.json()).scores).toContainEqual({ board: 'global', period: 'all', score: second.body.score });
  });

  it('counts recorded, replayed and refused completions in /metrics', async () => {
    const results = ['recorded', 'replayed', 'refused'];
    const counted = () => Promise.all(results.map((result) => metricValue(app, 'actions_total', { result })));
    const before = await counted();
    const type = await createType({ rules: { maxPerUser: 1 } });
    const player = await signUp(app);
    expect((await complete(player.token, type.key, 'first')).status).toBe(200);
    expect((await complete(player.token, type.key, 'first')).status).toBe(200);
    expect((await complete(player.token, type.key, 'second')).body.code).toBe('LIMIT_REACHED');
    expect(await counted()).toEqual(before.map((value) => value + 1));
  });

  it('scores exactly once when 50 identical completions arrive at once', async () => {
    const type = await createType({ baseScore: 5 });
    const bob = await signUp(app);
    const answers = await Promise.all(Array.from({ length: 50 }, () => complete(bob.token, type.key, 'same')));
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    expect(answers.filter((answer) => answer.headers.get('idempotent-replayed') === 'true')).toHaveLength(49);
    for (const answer of answers) expect(answer.body.action.id).toBe(answers[0]!.body.action.id);
    const [row] = await query<{ score: number; n: number }>(
      app,
      sql`select (select score::int from leaderboard_scores where board = 'global' and period = 'all' and user_id = ${bob.user.id}) as score,
        (select count(*)::int from actions where user_id = ${bob.user.id}) as n`,
    );
    expect(row).toEqual({ score: 5, n: 1 });
  });

  it('answers 404 for an unknown type and 413 for metadata over 4 KB, scoring nothing', async () => {
    const type = await createType({});
    const carol = await signUp(app);
    const unknown = await complete(carol.token, 'no-such-type', 'x');
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('NOT_FOUND');
    const big = await complete(carol.token, type.key, 'big', { blob: 'x'.repeat(4100) });
    expect(big.status).toBe(413);
    expect(big.body.code).toBe('PAYLOAD_TOO_LARGE');
    expect((await complete(carol.token, type.key, '')).status).toBe(400);
    expect((await app.request('POST', '/api/actions/complete', { body: { actionType: type.key, identifier: 'x' } })).status).toBe(401);
    const [row] = await query<{ n: number }>(app, sql`select count(*)::int as n from actions where user_id = ${carol.user.id}`);
    expect(row!.n).toBe(0);
  });

  it('refuses inactive types and completions outside the window with ACTION_INACTIVE', async () => {
    const inactive = await createType({ active: false });
    const dave = await signUp(app);
    const refused = await complete(dave.token, inactive.key, 'a');
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('ACTION_INACTIVE');
    const windowed = await createType({
      rules: { activeFrom: new Date(start + 3_600_000).toISOString(), activeTo: new Date(start + 7_200_000).toISOString() },
    });
    expect((await complete(dave.token, windowed.key, 'early')).body.code).toBe('ACTION_INACTIVE');
    clock = start + 5_400_000;
    expect((await complete(dave.token, windowed.key, 'in-time')).status).toBe(200);
    clock = start + 7_200_000;
    expect((await complete(dave.token, windowed.key, 'late')).body.code).toBe('ACTION_INACTIVE');
    // A replay still answers the original result after the window closed.
    expect((await complete(dave.token, windowed.key, 'in-time')).status).toBe(200);
    clock = start;
  });

  it('enforces the cooldown with Retry-After', async () => {
    const type = await createType({ rules: { cooldownSeconds: 60 } });
    const erin = await signUp(app);
    expect((await complete(erin.token, type.key, 'one')).status).toBe(200);
    clock = start + 15_000;
    const cooling = await complete(erin.token, type.key, 'two');
    expect(cooling.status).toBe(422);
    expect(cooling.body.code).toBe('COOLDOWN');
    expect(cooling.headers.get('retry-after')).toBe('45');
    clock = start + 60_000;
    expect((await complete(erin.token, type.key, 'two')).status).toBe(200);
    clock = start;
  });

  it('enforces maxPerUser, also within one batch', async () => {
    const type = await createType({ rules: { maxPerUser: 3 } });
    const frank = await signUp(app);
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => complete(frank.token, type.key, `id-${i}`)));
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(3);
    expect(answers.filter((answer) => answer.body.code === 'LIMIT_REACHED')).toHaveLength(5);
  });

  it("enforces maxPerDay in the user's own day", async () => {
    const type = await createType({ rules: { maxPerDay: 1 } });
    const gina = await signUp(app);
    // UTC+14: at 10:00 UTC it is already midnight there, so a new day starts at 10:00 UTC.
    expect((await app.request('PUT', '/api/me/settings', { token: gina.token, body: { utcOffsetMinutes: 840 } })).status).toBe(200);
    clock = start - 60_000;
    expect((await complete(gina.token, type.key, 'day-1')).status).toBe(200);
    const again = await complete(gina.token, type.key, 'day-1-again');
    expect(again.status).toBe(422);
    expect(again.body.code).toBe('LIMIT_REACHED');
    clock = start;
    expect((await complete(gina.token, type.key, 'day-2')).status).toBe(200);
  });

  it('lets only confirmed entrants score an event action type, on global and the event board', async () => {
    const event = await createEvent(app, admin, { capacity: 5 });
    const type = await createType({ rules: { eventId: event.id } });
    expect(type.rules).toEqual({ eventId: event.id });
    const [entrant, stranger] = [await signUp(app), await signUp(app)];
    const registration = await app.request('POST', `/api/events/${event.id}/registrations`, { token: entrant.token });
    expect(registration.status, await registration.clone().text()).toBeLessThan(300);
    const refused = await complete(stranger.token, type.key, 'x');
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('NOT_REGISTERED');
    const scored = await complete(entrant.token, type.key, 'x');
    expect(scored.status).toBe(200);
    expect(scored.body.boards.map((b: { board: string }) => b.board)).toEqual(['global', `event:${event.id}`]);
    const board = await app.request('GET', `/api/leaderboards/event:${event.id}`);
    expect((await board.json()).entries).toEqual([expect.objectContaining({ rank: 1, userId: entrant.user.id, score: 10 })]);
  });

  it('answers home stats, cached 5 min and refreshed soon after actions commit', async () => {
    const stats = async () => {
      const response = await app.request('GET', '/api/stats/home');
      expect(response.status).toBe(200);
      return { cache: response.headers.get('x-cache'), body: await response.json() };
    };
    // Earlier tests' actions may still have an invalidation on its way: wait until the figures settle.
    await waitFor(async () => (await stats()).cache === 'HIT', 5_000, 'home stats to be served from the cache');
    const before = (await stats()).body;
    expect(before.users).toBeGreaterThan(5);
    expect(before.activeEvents).toEqual(expect.any(Number));
    expect(before.topPlayer).toMatchObject({ userId: expect.any(String), handle: expect.any(String), score: expect.any(Number) });

    // Active events are those open for registration: an open one counts, a scheduled one not yet.
    await createEvent(app, admin);
    await createEvent(app, admin, { opensAt: new Date(Date.now() + 86_400_000).toISOString() });
    const type = await createType({ baseScore: 1_000_000 });
    const star = await signUp(app);
    expect((await complete(star.token, type.key, 'big-win')).status).toBe(200);
    await waitFor(
      async () => {
        const { cache, body } = await stats();
        return (
          cache === 'MISS' &&
          body.actionsToday === before.actionsToday + 1 &&
          body.topPlayer?.userId === star.user.id &&
          body.activeEvents === before.activeEvents + 1
        );
      },
      5_000,
      'home stats to show the new action and top player',
    );
  });
});
