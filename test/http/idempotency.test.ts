// Idempotency-Key on POST, on PGlite and PostgreSQL.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashRequest } from '../../src/http/idempotency.js';
import { idempotencyKeys } from '../../src/platform/db/schema.js';
import { createIdempotencyStore } from '../../src/platform/idempotency/store.js';
import { signUp, startTestApp, type TestApp } from '../harness/app.js';
import { ADMIN_ENV, adminSession, createEvent, query } from './events-fixtures.js';

describe.each(['pglite', 'postgres'] as const)('Idempotency-Key on %s', (store) => {
  let app: TestApp;
  let player: string;
  const actionType = `idem-${store}`;
  beforeAll(async () => {
    app = await startTestApp({ store, env: ADMIN_ENV });
    const created = await app.request('POST', '/api/action-types', {
      token: (await adminSession(app)).token,
      body: { key: actionType, name: 'Idem', baseScore: 1 },
    });
    expect(created.status).toBe(201);
    player = (await signUp(app)).token;
  });
  afterAll(() => app?.stop());

  const completion = (identifier: string, type = actionType) => ({ actionType: type, identifier });
  const complete = (key: string, identifier = 'one', token = player, type = actionType) =>
    app.request('POST', '/api/actions/complete', { body: completion(identifier, type), headers: { 'idempotency-key': key }, token });

  it('replays the stored status and body, marked as replayed, and creates nothing twice', async () => {
    const first = await complete('key-replay', 'replay');
    expect(first.status).toBe(200);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const firstBody = await first.json();

    const again = await complete('key-replay', 'replay');
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await again.json()).toEqual(firstBody);
  });

  it('answers 422 for the same key with a different body', async () => {
    expect((await complete('key-mismatch', 'first')).status).toBe(200);
    const other = await complete('key-mismatch', 'second');
    expect(other.status).toBe(422);
    expect((await other.json()).code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('never stores the answer of a route that issues a session token', async () => {
    const guest = () => app.request('POST', '/api/auth/guest', { body: { nickname: 'Dawn' }, headers: { 'idempotency-key': 'key-session' } });
    const [first, second] = [await guest(), await guest()];
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(second.headers.get('idempotent-replayed')).toBeNull();
    expect((await first.json()).user.id).not.toBe((await second.json()).user.id);
    const stored = await app.platform.database.db.execute(sql`select count(*)::int as n from idempotency_keys where key = 'key-session'`);
    expect((stored as unknown as { rows: Array<{ n: number }> }).rows[0]!.n).toBe(0);
  });

  /** A claimed key without a stored response: exactly what an in-flight (or crashed) request leaves. */
  async function claimWithoutResponse(userId: string, key: string, claimedAgo = '0 seconds') {
    await app.platform.database.db.insert(idempotencyKeys).values({
      scope: `user:${userId}`,
      key,
      requestHash: hashRequest('POST', '/api/actions/complete', completion('claimed')),
      createdAt: sql`now() - ${claimedAgo}::interval`,
      expiresAt: sql`now() + interval '1 day'`,
    });
  }

  it('answers 409 while the first request with the key is still in flight', async () => {
    const { token, user } = await signUp(app);
    await claimWithoutResponse(user.id, 'key-in-flight');
    const response = await complete('key-in-flight', 'claimed', token);
    expect(response.status).toBe(409);
    expect(response.headers.get('retry-after')).toBe('1');
    expect((await response.json()).code).toBe('IDEMPOTENCY_KEY_IN_FLIGHT');
  });

  it('lets a retry take over a claim abandoned by a crashed request', async () => {
    const { token, user } = await signUp(app);
    await claimWithoutResponse(user.id, 'key-abandoned', '2 minutes');
    expect((await complete('key-abandoned', 'claimed', token)).status).toBe(200);
  });

  it('scopes keys per user', async () => {
    const alice = await signUp(app);
    const bob = await signUp(app);
    const a = await complete('shared-key', 'shared', alice.token);
    const b = await complete('shared-key', 'shared', bob.token);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(b.headers.get('idempotent-replayed')).toBeNull();
    expect((await a.json()).action.id).not.toBe((await b.json()).action.id);
  });

  it('frees a key once it expires (24 h)', async () => {
    expect((await complete('key-expiry', 'before')).status).toBe(200);
    await app.platform.database.db.execute(sql`update idempotency_keys set expires_at = now() - interval '1 second' where key = 'key-expiry'`);
    // A different body under the same key is no longer a reuse: the old record is gone.
    const fresh = await complete('key-expiry', 'after');
    expect(fresh.status).toBe(200);
    expect(fresh.headers.get('idempotent-replayed')).toBeNull();
  });

  const registerWithKey = (eventId: string, key: string, token: string) =>
    app.request('POST', `/api/events/${eventId}/registrations`, { token, body: {}, headers: { 'idempotency-key': key } });

  it('stores 4xx answers too, so a retry cannot turn a refusal into a success', async () => {
    const admin = await adminSession(app);
    const event = await createEvent(app, admin.token, { capacity: 1, waitlist: false });
    const [first, late] = [await signUp(app), await signUp(app)];
    expect((await registerWithKey(event.id, 'key-full', first.token)).status).toBe(201);
    const refused = await registerWithKey(event.id, 'key-full', late.token);
    expect(refused.status).toBe(409);
    expect((await refused.json()).code).toBe('EVENT_FULL');
    // A spot frees up, yet the retry of the refused request is still the refusal.
    await app.request('DELETE', `/api/events/${event.id}/registrations/me`, { token: first.token });
    const again = await registerWithKey(event.id, 'key-full', late.token);
    expect(again.status).toBe(409);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  it('replays a registration with its first answer, stored in the batch that made it', async () => {
    const admin = await adminSession(app);
    const event = await createEvent(app, admin.token, { capacity: 5 });
    const { token, user } = await signUp(app);
    const first = await registerWithKey(event.id, 'key-register', token);
    expect(first.status).toBe(201);
    const firstBody = await first.json();
    const [row] = await query<{ status: number; body: string }>(
      app,
      sql`select response_status as status, response_body as body from idempotency_keys where scope = ${`user:${user.id}`} and key = 'key-register'`,
    );
    expect(row).toEqual({ status: 201, body: JSON.stringify(firstBody) });
    const again = await registerWithKey(event.id, 'key-register', token);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await again.json()).toEqual(firstBody);
  });

  it('answers the same key sent twice at once: one acts, the other is in flight or a replay', async () => {
    const admin = await adminSession(app);
    const event = await createEvent(app, admin.token, { capacity: 5 });
    const { token } = await signUp(app);
    const answers = await Promise.all([registerWithKey(event.id, 'key-twice', token), registerWithKey(event.id, 'key-twice', token)]);
    const statuses = answers.map((answer) => answer.status).sort();
    expect([
      [201, 201],
      [201, 409],
    ]).toContainEqual(statuses);
    expect(answers.filter((answer) => answer.status === 201 && answer.headers.get('idempotent-replayed') === null)).toHaveLength(1);
  });

  it('sweeps expired keys in bounded statements, leaving live ones', async () => {
    const scope = `sweep-${store}`;
    await query(
      app,
      sql`insert into idempotency_keys (scope, key, request_hash, expires_at)
          select ${scope}, 'k' || n, 'h', now() - interval '1 second' from generate_series(1, 25) n`,
    );
    await query(
      app,
      sql`insert into idempotency_keys (scope, key, request_hash, expires_at) values (${scope}, 'live', 'h', now() + interval '1 day')`,
    );
    const statements: string[] = [];
    const db = app.platform.database.db;
    // Counts the sweep's statements by watching the executor it is handed.
    const watched = new Proxy(db, {
      get: (target, property, receiver) =>
        property === 'execute'
          ? (statement: Parameters<typeof db.execute>[0]) => {
              statements.push('delete');
              return target.execute(statement);
            }
          : Reflect.get(target, property, receiver),
    });
    const deleted = await createIdempotencyStore(watched, 60).deleteExpired(10);
    expect(deleted).toBeGreaterThanOrEqual(25);
    // 25 or more expired rows at 10 a statement: at least three statements, the last one short.
    expect(statements.length).toBe(Math.floor(deleted / 10) + 1);
    const left = await query<{ key: string }>(app, sql`select key from idempotency_keys where scope = ${scope}`);
    expect(left).toEqual([{ key: 'live' }]);
  });

  it('rejects a malformed key', async () => {
    const response = await complete('has spaces in it');
    expect(response.status).toBe(400);
    expect((await response.json()).code).toBe('IDEMPOTENCY_KEY_INVALID');
  });
});
