// Idempotency-Key on POST, on PGlite and PostgreSQL.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashRequest } from '../../src/http/idempotency.js';
import { idempotencyKeys } from '../../src/platform/db/schema.js';
import { signUp, startTestApp, type TestApp } from '../harness/app.js';

describe.each(['pglite', 'postgres'] as const)('Idempotency-Key on %s', (store) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ store });
  });
  afterAll(() => app?.stop());

  const guest = (key: string, nickname = 'Dawn', token?: string) =>
    app.request('POST', '/api/auth/guest', { body: { nickname }, headers: { 'idempotency-key': key }, token });

  it('replays the stored status and body, marked as replayed, and creates nothing twice', async () => {
    const first = await guest('key-replay');
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const firstBody = await first.json();

    const again = await guest('key-replay');
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await again.json()).toEqual(firstBody);
  });

  it('answers 422 for the same key with a different body', async () => {
    expect((await guest('key-mismatch', 'Dawn')).status).toBe(201);
    const other = await guest('key-mismatch', 'Barry');
    expect(other.status).toBe(422);
    expect((await other.json()).code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  /** A claimed key without a stored response: exactly what an in-flight (or crashed) request leaves. */
  async function claimWithoutResponse(userId: string, key: string, claimedAgo = '0 seconds') {
    await app.platform.database.db.insert(idempotencyKeys).values({
      scope: `user:${userId}`,
      key,
      requestHash: hashRequest('POST', '/api/auth/guest', { nickname: 'Dawn' }),
      createdAt: sql`now() - ${claimedAgo}::interval`,
      expiresAt: sql`now() + interval '1 day'`,
    });
  }

  it('answers 409 while the first request with the key is still in flight', async () => {
    const { token, user } = await signUp(app);
    await claimWithoutResponse(user.id, 'key-in-flight');
    const response = await guest('key-in-flight', 'Dawn', token);
    expect(response.status).toBe(409);
    expect(response.headers.get('retry-after')).toBe('1');
    expect((await response.json()).code).toBe('IDEMPOTENCY_KEY_IN_FLIGHT');
  });

  it('lets a retry take over a claim abandoned by a crashed request', async () => {
    const { token, user } = await signUp(app);
    await claimWithoutResponse(user.id, 'key-abandoned', '2 minutes');
    expect((await guest('key-abandoned', 'Dawn', token)).status).toBe(201);
  });

  it('scopes keys per user', async () => {
    const alice = await signUp(app);
    const bob = await signUp(app);
    const a = await guest('shared-key', 'Dawn', alice.token);
    const b = await guest('shared-key', 'Dawn', bob.token);
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.headers.get('idempotent-replayed')).toBeNull();
    expect((await a.json()).user.id).not.toBe((await b.json()).user.id);
  });

  it('frees a key once it expires (24 h)', async () => {
    const first = await (await guest('key-expiry')).json();
    await app.platform.database.db.execute(sql`update idempotency_keys set expires_at = now() - interval '1 second' where key = 'key-expiry'`);
    const fresh = await guest('key-expiry');
    expect(fresh.status).toBe(201);
    expect(fresh.headers.get('idempotent-replayed')).toBeNull();
    expect((await fresh.json()).user.id).not.toBe(first.user.id);
  });

  it('stores 4xx answers too, so a retry cannot turn a refusal into a success', async () => {
    await signUp(app, { handle: 'taken_handle', email: 'taken@example.com' });
    const body = { handle: 'taken_handle', email: 'fresh@example.com', password: 'password123' };
    const first = await app.request('POST', '/api/auth/signup', { body, headers: { 'idempotency-key': 'key-409' } });
    expect(first.status).toBe(409);
    const again = await app.request('POST', '/api/auth/signup', { body, headers: { 'idempotency-key': 'key-409' } });
    expect(again.status).toBe(409);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
  });

  it('rejects a malformed key', async () => {
    const response = await guest('has spaces in it');
    expect(response.status).toBe(400);
    expect((await response.json()).code).toBe('IDEMPOTENCY_KEY_INVALID');
  });
});
