// Sessions end when they should: logout ends one token, "log out everywhere" and a password
// reset end them all, on HTTP and on the socket. Tokens are HS256 with an expiry, nothing else.
import { createHmac } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { io as connect } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminCommands } from '../../src/cli/admin.js';
import { hashPassword } from '../../src/features/accounts/password.js';
import { signUp, startTestApp, TEST_JWT_SECRET, type TestApp } from '../harness/app.js';
import { ADMIN, ADMIN_ENV, adminSession, query } from './events-fixtures.js';

/** A token signed with the server's own secret, with any header and claims. */
function forge(header: Record<string, unknown>, claims: Record<string, unknown>): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${encode(header)}.${encode(claims)}`;
  const algorithm = header.alg === 'HS512' ? 'sha512' : 'sha256';
  return `${unsigned}.${header.alg === 'none' ? '' : createHmac(algorithm, TEST_JWT_SECRET).update(unsigned).digest('base64url')}`;
}

describe('sessions', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ env: { ...ADMIN_ENV, PASSWORD_HASH_COST: '15' } });
  });
  afterAll(() => app?.stop());

  const me = async (token: string) => {
    const response = await app.request('GET', '/api/me', { token });
    return { status: response.status, code: (await response.json()).code as string | undefined };
  };
  const login = async (email: string, password = 'password123') => {
    const response = await app.request('POST', '/api/auth/login', { body: { email, password } });
    expect(response.status).toBe(200);
    return (await response.json()).token as string;
  };

  let accounts = 0;
  const account = async () => {
    const email = `session-${accounts++}@example.com`;
    return { ...(await signUp(app, { email })), email };
  };

  it('logout ends the token presented, and only that one', async () => {
    const { token: first, email } = await account();
    const second = await login(email);
    expect((await me(first)).status).toBe(200);
    expect((await app.request('POST', '/api/auth/logout', { token: first })).status).toBe(204);
    expect(await me(first)).toEqual({ status: 401, code: 'INVALID_TOKEN' });
    expect((await me(second)).status).toBe(200);
  });

  it('logout-all ends every session of the account; a new login works', async () => {
    const { token: first, email } = await account();
    const second = await login(email);
    expect((await app.request('POST', '/api/auth/logout-all', { token: second })).status).toBe(204);
    expect((await me(first)).status).toBe(401);
    expect((await me(second)).status).toBe(401);
    expect((await me(await login(email))).status).toBe(200);
  });

  it('a password reset by `stampede admin create` ends the old sessions, on HTTP and on the socket', async () => {
    const { token } = await adminSession(app);
    expect((await me(token)).status).toBe(200);
    await adminCommands(app.accounts)({ command: 'admin-create', email: ADMIN.email, password: 'a-new-password' });
    expect(await me(token)).toEqual({ status: 401, code: 'INVALID_TOKEN' });
    const socket = connect(app.url, { auth: { token }, transports: ['websocket'], reconnection: false });
    const refused = await new Promise<Error>((resolve) => socket.once('connect_error', resolve));
    socket.disconnect();
    expect(refused.message).toMatch(/token|session/i);
    expect((await me(await login(ADMIN.email, 'a-new-password'))).status).toBe(200);
  });

  it('refuses tokens with another algorithm, none, or no expiry, even signed with the secret', async () => {
    const { user } = await signUp(app);
    const claims = { sub: user.id, role: 'player', guest: false, sv: 0, iat: Math.floor(Date.now() / 1000) };
    const exp = claims.iat + 3600;
    expect((await me(forge({ alg: 'HS256', typ: 'JWT' }, { ...claims, exp }))).status).toBe(200);
    expect((await me(forge({ alg: 'HS512', typ: 'JWT' }, { ...claims, exp }))).status).toBe(401);
    expect((await me(forge({ alg: 'none', typ: 'JWT' }, { ...claims, exp }))).status).toBe(401);
    expect((await me(forge({ alg: 'HS256', typ: 'JWT' }, claims))).status).toBe(401);
  });

  it('rehashes a password stored below the configured cost at login, and the session survives', async () => {
    const { user, token, email } = await account();
    const [stored] = await query<{ password_hash: string }>(app, sqlHash(user.id));
    expect(stored!.password_hash.startsWith('scrypt$32768$8$1$')).toBe(true);
    // An older install's hash: N = 2^14.
    const cheap = await hashPassword('password123', 14);
    await app.platform.database.db.execute(setHash(user.id, cheap));
    await login(email);
    const [rehashed] = await query<{ password_hash: string }>(app, sqlHash(user.id));
    expect(rehashed!.password_hash.startsWith('scrypt$32768$8$1$')).toBe(true);
    expect((await me(token)).status).toBe(200);
  });
});

const sqlHash = (id: string) => sql`select password_hash from users where id = ${id}`;
const setHash = (id: string, hash: string) => sql`update users set password_hash = ${hash} where id = ${id}`;
