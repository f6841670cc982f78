// Accounts against the embedded PGlite and a real PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestApp, type TestApp } from '../harness/app.js';

describe.each(['pglite', 'postgres'] as const)('accounts on %s', (store) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ store, env: { STAMPEDE_ADMIN_EMAIL: 'root@example.com', STAMPEDE_ADMIN_PASSWORD: 'rootpassword' } });
  });
  afterAll(() => app?.stop());

  const login = async (email: string, password: string) => app.request('POST', '/api/auth/login', { body: { email, password } });

  it('signs up, logs in and answers /api/me', async () => {
    const signup = await app.request('POST', '/api/auth/signup', { body: { handle: 'Ash_K', email: 'Ash@Example.com', password: 'pikachu123' } });
    expect(signup.status).toBe(201);
    const created = await signup.json();
    expect(created.user).toMatchObject({ handle: 'Ash_K', email: 'ash@example.com', role: 'player', isGuest: false });
    expect(created.token).toEqual(expect.any(String));
    expect(created.user).not.toHaveProperty('passwordHash');

    const loggedIn = await login('ASH@example.com', 'pikachu123');
    expect(loggedIn.status).toBe(200);
    const { token } = await loggedIn.json();
    const me = await app.request('GET', '/api/me', { token });
    expect(me.status).toBe(200);
    expect((await me.json()).user.id).toBe(created.user.id);
  });

  it('refuses a duplicate email or handle with 409 and a code, whatever the case', async () => {
    await signUp(app, { handle: 'misty', email: 'misty@example.com' });
    const email = await app.request('POST', '/api/auth/signup', { body: { handle: 'misty2', email: 'MISTY@example.com', password: 'password123' } });
    expect(email.status).toBe(409);
    expect(await email.json()).toMatchObject({ code: 'EMAIL_TAKEN', status: 409 });
    const handle = await app.request('POST', '/api/auth/signup', { body: { handle: 'MISTY', email: 'other@example.com', password: 'password123' } });
    expect(handle.status).toBe(409);
    expect((await handle.json()).code).toBe('HANDLE_TAKEN');
  });

  it('gives a wrong password and an unknown email the same 401', async () => {
    await signUp(app, { handle: 'brock', email: 'brock@example.com' });
    const wrong = await login('brock@example.com', 'not-the-password');
    const unknown = await login('nobody@example.com', 'not-the-password');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const [a, b] = [await wrong.json(), await unknown.json()];
    expect(a.code).toBe('INVALID_CREDENTIALS');
    expect({ ...a, instance: undefined }).toEqual({ ...b, instance: undefined });
  });

  it('creates guests with unique handles and lets them use /api/me', async () => {
    const [one, two] = await Promise.all(
      [1, 2].map(async () => (await app.request('POST', '/api/auth/guest', { body: { nickname: 'Red Fan' } })).json()),
    );
    expect(one.user).toMatchObject({ isGuest: true, role: 'player', email: null });
    expect(one.user.handle).toMatch(/^Red-Fan-[0-9a-f]{6}$/);
    expect(one.user.handle).not.toBe(two.user.handle);
    expect((await app.request('GET', '/api/me', { token: one.token })).status).toBe(200);
  });

  it('needs a valid token for /api/me', async () => {
    const none = await app.request('GET', '/api/me');
    expect(none.status).toBe(401);
    expect((await none.json()).code).toBe('UNAUTHENTICATED');
    const bad = await app.request('GET', '/api/me', { token: 'not.a.jwt' });
    expect(bad.status).toBe(401);
    expect((await bad.json()).code).toBe('INVALID_TOKEN');
  });

  it('bootstraps the admin from the environment, and only an admin changes roles, effective at once', async () => {
    const adminLogin = await login('root@example.com', 'rootpassword');
    expect(adminLogin.status).toBe(200);
    const admin = await adminLogin.json();
    expect(admin.user.role).toBe('admin');

    const player = await signUp(app);
    const byPlayer = await app.request('PUT', `/api/users/${admin.user.id}/role`, { token: player.token, body: { role: 'player' } });
    expect(byPlayer.status).toBe(403);
    expect((await byPlayer.json()).code).toBe('FORBIDDEN');

    const promoted = await app.request('PUT', `/api/users/${player.user.id}/role`, { token: admin.token, body: { role: 'admin' } });
    expect(promoted.status).toBe(200);
    expect((await promoted.json()).user.role).toBe('admin');
    // The player's old token says "player", but the current role counts.
    expect((await app.request('GET', '/api/admin/stats', { token: player.token })).status).toBe(200);

    const demoted = await app.request('PUT', `/api/users/${player.user.id}/role`, { token: admin.token, body: { role: 'player' } });
    expect(demoted.status).toBe(200);
    expect((await app.request('GET', '/api/admin/stats', { token: player.token })).status).toBe(403);

    const badRole = await app.request('PUT', `/api/users/${player.user.id}/role`, { token: admin.token, body: { role: 'king' } });
    expect(badRole.status).toBe(400);
    const missing = await app.request('PUT', '/api/users/00000000-0000-4000-8000-000000000000/role', {
      token: admin.token,
      body: { role: 'organizer' },
    });
    expect(missing.status).toBe(404);
  });
});
