// Polls ("rank these") over HTTP on PGlite and PostgreSQL: creation and ranking validation,
// Borda results checked against a recomputation from the stored rankings after random
// (partly concurrent) rankings and replacements, the per-IP rate limit, and the live push.
import fc from 'fast-check';
import { eq } from 'drizzle-orm';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollRankings } from '../../src/platform/db/schema.js';
import { signUp, startTestApp, type TestApp } from '../harness/app.js';

const ADMIN = { STAMPEDE_ADMIN_EMAIL: 'root@example.com', STAMPEDE_ADMIN_PASSWORD: 'rootpassword' };

async function adminToken(app: TestApp): Promise<string> {
  return (await (await app.request('POST', '/api/auth/login', { body: { email: 'root@example.com', password: 'rootpassword' } })).json()).token;
}

const itemsOf = (keys: string[]) => keys.map((key) => ({ key, label: `Item ${key.toUpperCase()}` }));

/** Borda and average positions straight from the definition. */
function recompute(keys: string[], orders: string[][]) {
  const n = keys.length;
  return keys.map((key) => {
    const positions = orders.map((order) => order.indexOf(key) + 1);
    const sum = positions.reduce((total, position) => total + position, 0);
    return {
      key,
      bordaScore: positions.reduce((total, position) => total + (n - position), 0),
      averagePosition: orders.length ? sum / orders.length : null,
    };
  });
}

describe.each(['pglite', 'postgres'] as const)('polls on %s', (store) => {
  let app: TestApp;
  let organizer: string;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    app = await startTestApp({ store, env: { ...ADMIN, RATE_LIMIT_POLL_RANKINGS: '100000/1m' } });
    organizer = await adminToken(app);
  });
  afterAll(async () => {
    for (const socket of sockets) socket.disconnect();
    await app?.stop();
  });

  const createPoll = async (keys: string[], title = 'Best snack') => {
    const response = await app.request('POST', '/api/polls', { token: organizer, body: { title, items: itemsOf(keys) } });
    expect(response.status, await response.clone().text()).toBe(201);
    return (await response.json()).poll.id as string;
  };
  const rank = (pollId: string, token: string, order: unknown) => app.request('POST', `/api/polls/${pollId}/rankings`, { token, body: { order } });
  const results = async (pollId: string) => (await app.request('GET', `/api/polls/${pollId}/results`)).json();

  it('creates a poll (organizer only) and shows it', async () => {
    const response = await app.request('POST', '/api/polls', { token: organizer, body: { title: 'Best snack', items: itemsOf(['chips', 'nuts']) } });
    expect(response.status).toBe(201);
    const { poll } = await response.json();
    expect(poll).toMatchObject({ title: 'Best snack', items: itemsOf(['chips', 'nuts']), voters: 0 });
    const shown = await app.request('GET', `/api/polls/${poll.id}`);
    expect(shown.status).toBe(200);
    expect((await shown.json()).poll).toEqual(poll);

    const player = await signUp(app);
    expect((await app.request('POST', '/api/polls', { token: player.token, body: { title: 'Mine', items: itemsOf(['a', 'b']) } })).status).toBe(403);
    expect((await app.request('POST', '/api/polls', { body: { title: 'Mine', items: itemsOf(['a', 'b']) } })).status).toBe(401);
    expect((await app.request('GET', '/api/polls/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await app.request('GET', '/api/polls/not-a-uuid')).status).toBe(400);
  });

  it('refuses polls with fewer than 2 or more than 100 items, or duplicate keys, with 400', async () => {
    const hundredAndOne = Array.from({ length: 101 }, (_, index) => `k${index}`);
    for (const items of [
      itemsOf(['solo']),
      itemsOf(hundredAndOne),
      [
        { key: 'bad key', label: 'x' },
        { key: 'b', label: 'y' },
      ],
      [{ key: 'a' }, { key: 'b', label: 'y' }],
    ]) {
      const response = await app.request('POST', '/api/polls', { token: organizer, body: { title: 'Bad', items } });
      expect(response.status).toBe(400);
      expect((await response.json()).code).toBe('VALIDATION_FAILED');
    }
    const duplicate = await app.request('POST', '/api/polls', { token: organizer, body: { title: 'Bad', items: itemsOf(['a', 'b', 'a']) } });
    expect(duplicate.status).toBe(400);
    expect(await duplicate.json()).toMatchObject({
      code: 'VALIDATION_FAILED',
      detail: expect.stringContaining("'a'"),
      errors: [{ field: '/items/2/key' }],
    });
    expect(
      (await app.request('POST', '/api/polls', { token: organizer, body: { title: 'Bad', items: itemsOf(hundredAndOne.slice(0, 100)) } })).status,
    ).toBe(201);
  });

  it('refuses a partial, unknown-key or duplicate order with 400 naming the problem', async () => {
    const pollId = await createPoll(['a', 'b', 'c']);
    const { token } = await signUp(app);
    const cases: Array<[unknown, string]> = [
      [['a', 'b'], "missing 'c'"],
      [['a', 'b', 'z'], "Unknown item 'z'"],
      [['a', 'b', 'b'], "Item 'b' appears more than once"],
      [['a', 'b', 'c', 'a'], "Item 'a' appears more than once"],
    ];
    for (const [order, problem] of cases) {
      const response = await rank(pollId, token, order);
      expect(response.status, JSON.stringify(order)).toBe(400);
      const body = await response.json();
      expect(body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: '/order' }] });
      expect(body.detail).toContain(problem);
    }
    for (const order of [[], 'a,b,c', [1, 2, 3]]) expect((await rank(pollId, token, order)).status).toBe(400);
    expect((await results(pollId)).voters).toBe(0);
    expect((await rank(pollId, '', ['a', 'b', 'c'])).status).toBe(401);
    expect((await rank('00000000-0000-4000-8000-000000000000', token, ['a', 'b', 'c'])).status).toBe(404);
  });

  it('computes Borda scores and average positions, and a new ranking replaces the old one', async () => {
    const pollId = await createPoll(['a', 'b', 'c']);
    const empty = await app.request('GET', `/api/polls/${pollId}/results`);
    expect(empty.headers.get('x-cache')).toBe('MISS');
    expect((await empty.json()).items).toEqual([
      { key: 'a', label: 'Item A', bordaScore: 0, averagePosition: null },
      { key: 'b', label: 'Item B', bordaScore: 0, averagePosition: null },
      { key: 'c', label: 'Item C', bordaScore: 0, averagePosition: null },
    ]);
    expect((await app.request('GET', `/api/polls/${pollId}/results`)).headers.get('x-cache')).toBe('HIT');

    const [one, two] = [await signUp(app), await signUp(app)];
    const first = await rank(pollId, one.token, ['b', 'a', 'c']);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ pollId, order: ['b', 'a', 'c'], replaced: false });
    await rank(pollId, two.token, ['c', 'a', 'b']);
    // b: 2 + 0, a: 1 + 1, c: 0 + 2; ties keep the poll's order.
    const afterTwo = await app.request('GET', `/api/polls/${pollId}/results`);
    expect(afterTwo.headers.get('x-cache')).toBe('MISS');
    expect(await afterTwo.json()).toMatchObject({
      voters: 2,
      version: 2,
      items: [
        { key: 'a', bordaScore: 2, averagePosition: 2 },
        { key: 'b', bordaScore: 2, averagePosition: 2 },
        { key: 'c', bordaScore: 2, averagePosition: 2 },
      ],
    });

    const replaced = await rank(pollId, one.token, ['c', 'b', 'a']);
    expect((await replaced.json()).replaced).toBe(true);
    expect(await results(pollId)).toMatchObject({
      voters: 2,
      items: [
        { key: 'c', bordaScore: 4, averagePosition: 1 },
        { key: 'a', bordaScore: 1, averagePosition: 2.5 },
        { key: 'b', bordaScore: 1, averagePosition: 2.5 },
      ],
    });
    expect((await (await app.request('GET', `/api/polls/${pollId}`)).json()).poll.voters).toBe(2);
  });

  it('matches a recomputation from scratch after random rankings and replacements (property)', async () => {
    const users = await Promise.all(Array.from({ length: 6 }, () => signUp(app)));
    const submission = (keys: string[]) =>
      fc.record({ user: fc.nat({ max: users.length - 1 }), order: fc.shuffledSubarray(keys, { minLength: keys.length, maxLength: keys.length }) });
    const scenario = fc
      .integer({ min: 2, max: 6 })
      .map((n) => Array.from({ length: n }, (_, index) => String.fromCharCode(97 + index)))
      .chain((keys) =>
        fc.tuple(fc.constant(keys), fc.array(fc.array(submission(keys), { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 6 })),
      );

    await fc.assert(
      fc.asyncProperty(scenario, async ([keys, batches]) => {
        const pollId = await createPoll(keys);
        const lastBatchOrders = new Map<number, string[][]>();
        // Each batch goes in concurrently; the same user may appear twice in one batch.
        for (const batch of batches) {
          const answers = await Promise.all(batch.map(({ user, order }) => rank(pollId, users[user]!.token, order)));
          expect(answers.map((answer) => answer.status)).toEqual(batch.map(() => 200));
          const inBatch = new Map<number, string[][]>();
          for (const { user, order } of batch) inBatch.set(user, [...(inBatch.get(user) ?? []), order]);
          for (const [user, orders] of inBatch) lastBatchOrders.set(user, orders);
        }

        const stored = await app.platform.database.db.select().from(pollRankings).where(eq(pollRankings.pollId, pollId));
        expect(stored).toHaveLength(lastBatchOrders.size);
        for (const row of stored) {
          const user = users.findIndex((candidate) => candidate.user.id === row.userId);
          expect(lastBatchOrders.get(user)).toContainEqual(row.order);
        }
        const got = await results(pollId);
        expect(got.voters).toBe(stored.length);
        const expected = recompute(
          keys,
          stored.map((row) => row.order),
        );
        const byKey = new Map<string, { bordaScore: number; averagePosition: number | null }>(
          got.items.map((item: { key: string }) => [item.key, item]),
        );
        for (const item of expected) {
          expect(byKey.get(item.key)!.bordaScore).toBe(item.bordaScore);
          if (item.averagePosition === null) expect(byKey.get(item.key)!.averagePosition).toBeNull();
          else expect(byKey.get(item.key)!.averagePosition).toBeCloseTo(item.averagePosition, 10);
        }
        // Best first.
        const scores = got.items.map((item: { bordaScore: number }) => item.bordaScore);
        expect(scores).toEqual([...scores].sort((x, y) => y - x));
      }),
      { numRuns: 20 },
    );
  });

  it('pushes results live on board:poll:<id> with growing versions, ending on the final state', async () => {
    const pollId = await createPoll(['x', 'y', 'z']);
    const watcher = await signUp(app);
    const socket = connect(app.url, { auth: { token: watcher.token }, transports: ['websocket'], reconnection: false });
    sockets.push(socket);
    await new Promise((resolve) => socket.once('ready', resolve));
    expect(await socket.emitWithAck('subscribe', `board:poll:${pollId}`)).toEqual({ ok: true, channel: `board:poll:${pollId}` });
    const pushes: Array<{ version: number; voters: number }> = [];
    socket.on('poll-results', (payload) => pushes.push(payload));

    const voters = await Promise.all(Array.from({ length: 5 }, () => signUp(app)));
    const orders = [
      ['x', 'y', 'z'],
      ['y', 'z', 'x'],
      ['z', 'x', 'y'],
      ['x', 'z', 'y'],
      ['y', 'x', 'z'],
    ];
    await Promise.all(voters.map((voter, index) => rank(pollId, voter.token, orders[index])));
    const final = await results(pollId);
    expect(final.version).toBe(5);

    await expect.poll(() => pushes.at(-1)?.version, { timeout: 5_000, interval: 20 }).toBe(5);
    expect(pushes.at(-1)).toEqual(final);
    const versions = pushes.map((push) => push.version);
    expect(versions).toEqual([...versions].sort((x, y) => x - y));
    // Coalesced: fewer pushes than rankings is allowed, more never.
    expect(pushes.length).toBeLessThanOrEqual(5);
  });
});

describe('poll ranking rate limit (PostgreSQL + Redis, default 30 per minute per IP)', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ store: 'postgres', redis: true, env: ADMIN });
  });
  afterAll(() => app?.stop());

  it('answers the 31st ranking from one IP within a minute with 429, whatever the user', async () => {
    const organizer = await adminToken(app);
    const pollId = (
      await (await app.request('POST', '/api/polls', { token: organizer, body: { title: 'Limits', items: itemsOf(['a', 'b']) } })).json()
    ).poll.id;
    const users = await Promise.all(Array.from({ length: 3 }, () => signUp(app)));
    for (let attempt = 0; attempt < 30; attempt++) {
      const response = await app.request('POST', `/api/polls/${pollId}/rankings`, {
        token: users[attempt % 3]!.token,
        body: { order: attempt % 2 ? ['a', 'b'] : ['b', 'a'] },
      });
      expect(response.status, `ranking ${attempt + 1}`).toBe(200);
    }
    const limited = await app.request('POST', `/api/polls/${pollId}/rankings`, { token: users[0]!.token, body: { order: ['a', 'b'] } });
    expect(limited.status).toBe(429);
    expect((await limited.json()).code).toBe('RATE_LIMITED');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.headers.get('ratelimit-policy')).toContain('poll-rankings');
    // Other routes are not affected by this policy.
    expect((await app.request('GET', `/api/polls/${pollId}/results`)).status).toBe(200);
  });
});
