// Ownership in scoring (issue 11, items 2 and 5), on PGlite and on PostgreSQL + Redis: one
// organizer cannot set scores on, feed, or retarget another's event through scoring; boards and
// action types belong to their creator; event boards take entrants only; and board names have
// one spelling, so a read never stores a board.
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestApp, type TestApp } from '../harness/app.js';
import { ADMIN_ENV, adminSession, createEvent, organizer, query, register } from './events-fixtures.js';

describe.each([
  { store: 'pglite', redis: false },
  { store: 'postgres', redis: true },
] as const)('scoring ownership on $store (redis: $redis)', ({ store, redis }) => {
  let app: TestApp;
  let admin: string;

  beforeAll(async () => {
    app = await startTestApp({ store, redis, env: ADMIN_ENV });
    admin = (await adminSession(app)).token;
  });
  afterAll(() => app?.stop());

  const key = (prefix = 't') => `${prefix}-${randomUUID().slice(0, 8)}`;
  const createType = (token: string, rules: Record<string, unknown> = {}) =>
    app.request('POST', '/api/action-types', { token, body: { key: key(), name: 'Solve', baseScore: 10, rules } });
  const setScore = (token: string, board: string, userId: string, score = 5) =>
    app.request('PUT', `/api/leaderboards/${board}/scores/${userId}`, { token, body: { score } });
  const complete = (token: string, actionType: string) =>
    app.request('POST', '/api/actions/complete', { token, body: { actionType, identifier: randomUUID() } });

  /** Organizer A with an event, an entrant of it and an action type scoring on it. */
  async function organizerWithEvent() {
    const owner = await organizer(app);
    const event = await createEvent(app, owner.token, { capacity: 10 });
    const entrant = await signUp(app);
    expect((await register(app, event.id, entrant.token)).body.registration.status).toBe('confirmed');
    const type = await createType(owner.token, { eventId: event.id });
    expect(type.status, await type.clone().text()).toBe(201);
    return { owner, event, entrant, type: (await type.json()) as { id: string; key: string } };
  }

  it("refuses another organizer's writes on an event's board, its action types and its event id (403)", async () => {
    const a = await organizerWithEvent();
    const b = await organizer(app);
    const board = `event:${a.event.id}`;

    const put = await setScore(b.token, board, a.entrant.user.id, 999);
    expect(put.status).toBe(403);
    expect((await put.json()).code).toBe('FORBIDDEN');

    const patch = await app.request('PATCH', `/api/action-types/${a.type.id}`, { token: b.token, body: { rules: {} } });
    expect(patch.status).toBe(403);
    expect((await patch.json()).code).toBe('FORBIDDEN');

    for (const rules of [{ boards: [board] }, { boards: [board.toUpperCase().replace('EVENT:', 'event:')] }, { eventId: a.event.id }]) {
      const created = await createType(b.token, rules);
      expect(created.status, JSON.stringify(rules)).toBe(403);
    }

    // Nothing moved: the entrant's score is still the A's action type's.
    expect((await complete(a.entrant.token, a.type.key)).status).toBe(200);
    const page = await (await app.request('GET', `/api/leaderboards/${board}`)).json();
    expect(page.entries).toEqual([expect.objectContaining({ userId: a.entrant.user.id, score: 10 })]);

    // The owner and an admin may.
    expect((await setScore(a.owner.token, board, a.entrant.user.id, 50)).status).toBe(200);
    expect((await setScore(admin, board, a.entrant.user.id, 60)).status).toBe(200);
    expect((await app.request('PATCH', `/api/action-types/${a.type.id}`, { token: a.owner.token, body: { name: 'Mine' } })).status).toBe(200);
    expect((await app.request('PATCH', `/api/action-types/${a.type.id}`, { token: admin, body: { name: 'Admin' } })).status).toBe(200);
    expect((await createType(a.owner.token, { boards: [board] })).status).toBe(201);
  });

  it('scores on an event board only for entrants: the organizer override and a type naming the board', async () => {
    const a = await organizerWithEvent();
    const outsider = await signUp(app);
    const board = `event:${a.event.id}`;

    const put = await setScore(a.owner.token, board, outsider.user.id);
    expect(put.status).toBe(422);
    expect((await put.json()).code).toBe('NOT_REGISTERED');

    // A type feeding the event's board by name (no eventId) still takes entrants only.
    const feeding = await createType(a.owner.token, { boards: ['global', board] });
    expect(feeding.status).toBe(201);
    const { key: feedingKey } = await feeding.json();
    const refused = await complete(outsider.token, feedingKey);
    expect(refused.status).toBe(422);
    expect((await refused.json()).code).toBe('NOT_REGISTERED');
    expect((await complete(a.entrant.token, feedingKey)).status).toBe(200);
    const page = await (await app.request('GET', `/api/leaderboards/${board}`)).json();
    expect(page.entries.map((entry: { userId: string }) => entry.userId)).toEqual([a.entrant.user.id]);
  });

  it('gives boards an owner: another organizer may neither set scores on nor feed one; shared boards feed but only admins set', async () => {
    const a = await organizer(app);
    const b = await organizer(app);
    const player = await signUp(app);
    const name = key('b');
    expect((await app.request('POST', '/api/leaderboards', { token: a.token, body: { name } })).status).toBe(201);

    expect((await setScore(b.token, name, player.user.id)).status).toBe(403);
    expect((await createType(b.token, { boards: [name] })).status).toBe(403);
    expect((await setScore(a.token, name, player.user.id)).status).toBe(200);
    expect((await createType(a.token, { boards: [name] })).status).toBe(201);

    // `global` has no owner: every organizer's types feed it, only admins overwrite it.
    expect((await createType(b.token, { boards: ['global'] })).status).toBe(201);
    expect((await setScore(b.token, 'global', player.user.id)).status).toBe(403);
    expect((await setScore(admin, 'global', player.user.id)).status).toBe(200);

    // The reserved prefixes hold whatever their case.
    const spoof = await app.request('POST', '/api/leaderboards', { token: a.token, body: { name: `EVENT:${randomUUID()}` } });
    expect(spoof.status).toBe(400);
  });

  it('stores nothing on a read, and names an event board one way whatever the case of its UUID', async () => {
    const a = await organizerWithEvent();
    const lower = `event:${a.event.id}`;
    const upper = `event:${a.event.id.toUpperCase()}`;
    const mixed = `event:${a.event.id.slice(0, 18).toUpperCase()}${a.event.id.slice(18)}`;
    const stored = async () =>
      (await query<{ name: string }>(app, sql`select name from leaderboards where lower(name) = ${lower} order by name`)).map((row) => row.name);

    // A fresh event's board answers before anything fed it, and reading it stores nothing.
    const fresh = await createEvent(app, a.owner.token);
    const freshBoard = `event:${fresh.id.toUpperCase()}`;
    for (let i = 0; i < 3; i++) {
      const response = await app.request('GET', `/api/leaderboards/${freshBoard}`);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ board: `event:${fresh.id}`, entries: [], total: 0 });
    }
    expect(await query(app, sql`select name from leaderboards where lower(name) = ${`event:${fresh.id}`}`)).toEqual([]);

    // The type's board is stored under the lower-case name (at the type's creation); case variants read it.
    expect(await stored()).toEqual([lower]);
    expect((await complete(a.entrant.token, a.type.key)).status).toBe(200);
    for (const name of [upper, mixed, lower]) {
      const response = await app.request('GET', `/api/leaderboards/${name}`);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({
        board: lower,
        total: 1,
        entries: [expect.objectContaining({ userId: a.entrant.user.id, score: 10 })],
      });
    }
    expect(await stored()).toEqual([lower]);

    // Writes through a case variant land on the same board, and a type naming a variant stores the canonical name.
    expect((await setScore(a.owner.token, upper, a.entrant.user.id, 70)).status).toBe(200);
    const variant = await createType(a.owner.token, { eventId: a.event.id.toUpperCase(), boards: [mixed] });
    expect(variant.status).toBe(201);
    expect((await variant.json()).rules).toEqual({ eventId: a.event.id, boards: [lower] });
    expect(await stored()).toEqual([lower]);
    expect((await (await app.request('GET', `/api/leaderboards/${lower}`)).json()).entries[0]).toMatchObject({ score: 70 });
  });
});
