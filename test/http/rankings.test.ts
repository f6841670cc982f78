// Product rankings and the activity log over HTTP on PGlite and PostgreSQL + Redis: bad
// rankings refused, stats checked against a recomputation from the stored rankings after
// random (partly concurrent) rankings and replacements, the live push to an anonymous screen,
// the activity log with its cursor and retention, and the activity conditions of achievements.
import fc from 'fast-check';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestApp, type TestApp } from '../harness/app.js';

const ADMIN = { STAMPEDE_ADMIN_EMAIL: 'root@example.com', STAMPEDE_ADMIN_PASSWORD: 'rootpassword' };

/** Stats per product straight from the definition, over the final rankings. */
function recompute(productIds: string[], rankings: string[][]) {
  return new Map(
    productIds.map((id) => {
      const positions = rankings.filter((order) => order.includes(id)).map((order) => order.indexOf(id) + 1);
      const n = positions.length;
      const mean = n === 0 ? null : positions.reduce((sum, p) => sum + p, 0) / n;
      const sd = n < 2 ? null : Math.sqrt(positions.reduce((sum, p) => sum + (p - mean!) ** 2, 0) / (n - 1));
      return [
        id,
        {
          bordaScore: rankings.reduce((sum, order) => sum + (order.includes(id) ? order.length - order.indexOf(id) - 1 : 0), 0),
          rankers: n,
          averagePosition: mean,
          margin: sd === null ? null : (1.959963984540054 * sd) / Math.sqrt(n),
        },
      ];
    }),
  );
}

describe.each([
  ['pglite', false],
  ['postgres', true],
] as const)('rankings and activity on %s (redis: %s)', (store, redis) => {
  let app: TestApp;
  let admin: string;
  const sockets: Socket[] = [];
  const snacks: string[] = [];
  let drink: string;

  beforeAll(async () => {
    app = await startTestApp({ store, redis, env: { ...ADMIN, RATE_LIMIT_PRODUCT_RANKINGS: '100000/1m' } });
    admin = (await (await app.request('POST', '/api/auth/login', { body: { email: 'root@example.com', password: 'rootpassword' } })).json()).token;
    for (const name of ['chips', 'nuts', 'pretzels', 'popcorn', 'crackers']) {
      const response = await app.request('POST', '/api/products', { token: admin, body: { slug: name, name, category: 'snacks' } });
      snacks.push((await response.json()).product.id);
    }
    drink = (await (await app.request('POST', '/api/products', { token: admin, body: { slug: 'cola', name: 'Cola', category: 'drinks' } })).json())
      .product.id;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.disconnect();
    await app?.stop();
  });

  const rank = (token: string, category: string, order: unknown) => app.request('POST', '/api/rankings', { token, body: { category, order } });

  it('refuses a product outside the category, a repeated product, an unknown category and anonymous callers', async () => {
    const { token } = await signUp(app);
    const outside = await rank(token, 'snacks', [snacks[0], drink]);
    expect(outside.status).toBe(400);
    expect(await outside.json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: '/order' }] });
    const repeated = await rank(token, 'snacks', [snacks[0], snacks[0]]);
    expect(repeated.status).toBe(400);
    expect((await repeated.json()).detail).toMatch(/more than once/);
    expect((await rank(token, 'no-such-category', [snacks[0]])).status).toBe(404);
    expect((await app.request('POST', '/api/rankings', { body: { category: 'snacks', order: [snacks[0]] } })).status).toBe(401);
    expect((await app.request('GET', '/api/rankings/no-such-category')).status).toBe(404);
  });

  it('keeps Borda, average position, rankers and the interval equal to a recomputation from the stored rankings (property)', async () => {
    const users = await Promise.all([0, 1, 2, 3].map(() => signUp(app)));
    const ranking = fc.shuffledSubarray(snacks, { minLength: 1 });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.tuple(fc.nat({ max: 3 }), ranking), { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 4 }),
        async (rounds) => {
          // Each round's submissions run concurrently (a user may replace their own ranking in the same round).
          for (const round of rounds) {
            const answers = await Promise.all(round.map(([user, order]) => rank(users[user]!.token, 'snacks', order)));
            for (const answer of answers) expect(answer.status).toBe(200);
          }
          const stored = await Promise.all(
            users.map(async ({ token }) => (await (await app.request('GET', '/api/rankings/snacks/me', { token })).json()).order),
          );
          const others = (await (await app.request('GET', '/api/rankings/snacks')).json()) as {
            rankers: number;
            items: Array<{
              productId: string;
              bordaScore: number;
              rankers: number;
              averagePosition: number | null;
              confidenceInterval: { low: number; high: number } | null;
            }>;
          };
          // Other tests' rankers are in the category too: recompute over everyone's stored ranking.
          const everyone = await app.platform.database.db.query.productRankings.findMany({ where: (table, { eq }) => eq(table.category, 'snacks') });
          expect(everyone.length).toBe(others.rankers);
          for (const order of stored) if (order) expect(everyone.map((row) => row.order)).toContainEqual(order);
          const expected = recompute(
            snacks,
            everyone.map((row) => row.order),
          );
          for (const item of others.items) {
            const want = expected.get(item.productId)!;
            expect(item.bordaScore).toBe(want.bordaScore);
            expect(item.rankers).toBe(want.rankers);
            if (want.averagePosition === null) expect(item.averagePosition).toBeNull();
            else expect(item.averagePosition).toBeCloseTo(want.averagePosition, 9);
            if (want.margin === null) expect(item.confidenceInterval).toBeNull();
            else expect(item.confidenceInterval!.high - item.averagePosition!).toBeCloseTo(want.margin, 9);
          }
          const scores = others.items.map((item) => item.bordaScore);
          expect(scores).toEqual([...scores].sort((a, b) => b - a));
        },
      ),
      { seed: 1414, numRuns: 8 },
    );
  });

  it('pushes the category stats live on board:ranking:<category> to a screen without a token', async () => {
    const screen = connect(app.url, { transports: ['websocket'], reconnection: false });
    sockets.push(screen);
    await new Promise((resolve) => screen.once('ready', resolve));
    expect(await screen.emitWithAck('subscribe', 'board:ranking:drinks')).toEqual({ ok: true, channel: 'board:ranking:drinks' });
    expect(await screen.emitWithAck('subscribe', 'board:ranking:no-such-category')).toMatchObject({ ok: false, code: 'NOT_FOUND' });
    const pushed = new Promise<{ category: string; rankers: number; items: Array<{ productId: string; rankers: number }> }>((resolve) =>
      screen.on('ranking-stats', resolve),
    );
    const { token } = await signUp(app);
    expect((await rank(token, 'drinks', [drink])).status).toBe(200);
    expect(await pushed).toMatchObject({ category: 'drinks', items: [{ productId: drink, rankers: expect.any(Number) }] });
  });

  it('logs activity newest first with a cursor, awards activity achievements, and deletes expired entries', async () => {
    const create = async (key: string, condition: Record<string, unknown>) => {
      const response = await app.request('POST', '/api/achievements', { token: admin, body: { key, name: key, description: key, condition } });
      expect(response.status, await response.clone().text()).toBe(201);
    };
    await create(`${store}-two-categories`, { type: 'activityCount', activity: 'ranking.submitted', atLeast: 2 });
    await create(`${store}-viewer-streak`, { type: 'activityStreak', activity: 'product.viewed', atLeast: 2 });
    const { token, user } = await signUp(app);

    expect((await rank(token, 'snacks', [snacks[1], snacks[0]])).status).toBe(200);
    expect((await rank(token, 'snacks', [snacks[0]])).status).toBe(200);
    const earned = async () =>
      ((await (await app.request('GET', '/api/me/achievements', { token })).json()).achievements as Array<{ key: string }>).map((a) => a.key);
    // The same category twice is one distinct subject.
    await app.activity.flush();
    expect(await earned()).toEqual([]);
    expect((await rank(token, 'drinks', [drink])).status).toBe(200);
    await app.activity.flush();
    expect(await earned()).toEqual([`${store}-two-categories`]);

    // Views on two consecutive days (instants injected) make a two-day streak.
    expect(await app.products.views.record(user.id, snacks[2]!, new Date('2026-02-01T12:00:00Z'))).toBe(true);
    expect(await app.products.views.record(user.id, snacks[2]!, new Date('2026-02-02T12:00:00Z'))).toBe(true);
    await app.activity.flush();
    expect((await earned()).sort()).toEqual([`${store}-two-categories`, `${store}-viewer-streak`].sort());

    const page = async (query: string) => (await app.request('GET', `/api/me/activity?${query}`, { token })).json();
    const first = await page('limit=2');
    expect(first.items.map((item: { kind: string }) => item.kind).sort()).toEqual(['achievement.awarded', 'achievement.awarded']);
    const all: Array<{ id: string; kind: string; subject: string }> = [...first.items];
    let cursor: string | null = first.nextCursor;
    while (cursor) {
      const next = await page(`limit=2&cursor=${cursor}`);
      all.push(...next.items);
      cursor = next.nextCursor;
    }
    expect(all.map((item) => `${item.kind} ${item.subject}`)).toEqual([
      expect.stringMatching(/^achievement\.awarded /),
      expect.stringMatching(/^achievement\.awarded /),
      'ranking.submitted drinks',
      'ranking.submitted snacks',
      'ranking.submitted snacks',
    ]);
    const ids = all.map((item) => Number(item.id));
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect((await app.request('GET', '/api/me/activity?cursor=abc', { token })).status).toBe(400);

    app.activity.record({ userId: user.id, kind: 'registration', subject: 'old-event', at: new Date('2020-01-01T00:00:00Z') });
    await app.activity.flush();
    expect((await page('limit=100')).items.map((item: { subject: string }) => item.subject)).toContain('old-event');
    expect(await app.activity.sweep()).toBeGreaterThanOrEqual(1);
    expect((await page('limit=100')).items.map((item: { subject: string }) => item.subject)).not.toContain('old-event');
  });

  it('logs completed actions (in the action batch) and registrations (from the events hook) through those features', async () => {
    const { token } = await signUp(app);
    const type = await app.request('POST', '/api/action-types', { token: admin, body: { key: `${store}-checkin`, name: 'Check in', baseScore: 5 } });
    expect(type.status).toBe(201);
    expect((await app.request('POST', '/api/actions/complete', { token, body: { actionType: `${store}-checkin`, identifier: 'once' } })).status).toBe(
      200,
    );
    const event = await app.request('POST', '/api/events', {
      token: admin,
      body: { slug: `${store}-activity-event`, title: 'Meetup', capacity: 5, mode: 'fcfs', opensAt: new Date(Date.now() - 60_000).toISOString() },
    });
    expect(event.status, await event.clone().text()).toBe(201);
    const eventId = (await event.json()).event.id as string;
    expect((await app.request('POST', `/api/events/${eventId}/registrations`, { token })).status).toBe(201);
    await app.activity.flush();
    const { items } = await (await app.request('GET', '/api/me/activity', { token })).json();
    expect(items.map((item: { kind: string; subject: string }) => `${item.kind} ${item.subject}`)).toEqual([
      `registration ${eventId}`,
      `action.completed ${store}-checkin`,
    ]);
    expect(items[0].details).toMatchObject({ status: 'confirmed', previousStatus: null });
  });
});

describe('product ranking rate limit', () => {
  it('allows RATE_LIMIT_PRODUCT_RANKINGS submissions per IP, then 429', async () => {
    const app = await startTestApp({ env: { ...ADMIN, RATE_LIMIT_PRODUCT_RANKINGS: '3/1m' } });
    try {
      const admin = (await (await app.request('POST', '/api/auth/login', { body: { email: 'root@example.com', password: 'rootpassword' } })).json())
        .token;
      const id = (await (await app.request('POST', '/api/products', { token: admin, body: { slug: 'one', name: 'One', category: 'solo' } })).json())
        .product.id;
      const { token } = await signUp(app);
      const statuses = [];
      for (let i = 0; i < 4; i++)
        statuses.push((await app.request('POST', '/api/rankings', { token, body: { category: 'solo', order: [id] } })).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
    } finally {
      await app.stop();
    }
  });
});
