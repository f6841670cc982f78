// User settings (the UTC offset that decides where a user's day starts), on PGlite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestApp, type TestApp } from '../harness/app.js';

/** Every notification is on until the user turns it off (see test/http/email.test.ts). */
const notifications = { registrationConfirmed: true, waitlistPromoted: true, holdExpiring: true, lotteryResult: true, refundIssued: true };

describe.each(['pglite', 'postgres'] as const)('settings on %s', (store) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ store });
  });
  afterAll(() => app?.stop());

  it('starts at UTC, saves a new offset and reads it back', async () => {
    const { token } = await signUp(app);
    const initial = await app.request('GET', '/api/me/settings', { token });
    expect(initial.status).toBe(200);
    expect(await initial.json()).toEqual({ utcOffsetMinutes: 0, notifications });

    const saved = await app.request('PUT', '/api/me/settings', { token, body: { utcOffsetMinutes: 330 } });
    expect(saved.status).toBe(200);
    expect(await saved.json()).toEqual({ utcOffsetMinutes: 330, notifications });
    expect(await (await app.request('GET', '/api/me/settings', { token })).json()).toEqual({ utcOffsetMinutes: 330, notifications });
  });

  it('serves the offset from the cache and drops the cached value on change', async () => {
    const { token, user } = await signUp(app);
    expect(await app.accounts.utcOffsetMinutes(user.id)).toBe(0);
    await app.request('PUT', '/api/me/settings', { token, body: { utcOffsetMinutes: -300 } });
    // The read right before the change was cached; the change must not be hidden by it.
    expect(await app.accounts.utcOffsetMinutes(user.id)).toBe(-300);
    await app.request('PUT', '/api/me/settings', { token, body: { utcOffsetMinutes: 840 } });
    expect(await app.accounts.utcOffsetMinutes(user.id)).toBe(840);
  });

  it('accepts the extreme offsets and refuses anything else with 400', async () => {
    const { token } = await signUp(app);
    for (const utcOffsetMinutes of [-720, 840]) {
      expect((await app.request('PUT', '/api/me/settings', { token, body: { utcOffsetMinutes } })).status).toBe(200);
    }
    for (const body of [
      { utcOffsetMinutes: -721 },
      { utcOffsetMinutes: 841 },
      { utcOffsetMinutes: 60.5 },
      { utcOffsetMinutes: '60' },
      {},
      { utcOffsetMinutes: 60, theme: 'dark' },
      { utcOffsetMinutes: 60, notifications: { marketing: true } },
      { utcOffsetMinutes: 60, notifications: { lotteryResult: 'no' } },
    ]) {
      const response = await app.request('PUT', '/api/me/settings', { token, body });
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect((await response.json()).code).toBe('VALIDATION_FAILED');
    }
    expect(await (await app.request('GET', '/api/me/settings', { token })).json()).toEqual({ utcOffsetMinutes: 840, notifications });
  });

  it('keeps the range in the database too', async () => {
    const { user } = await signUp(app);
    await expect(app.accounts.updateSettings(user.id, { utcOffsetMinutes: 900 })).rejects.toThrow();
    expect(await app.accounts.utcOffsetMinutes(user.id)).toBe(0);
  });

  it('needs a token', async () => {
    expect((await app.request('GET', '/api/me/settings')).status).toBe(401);
    expect((await app.request('PUT', '/api/me/settings', { body: { utcOffsetMinutes: 0 } })).status).toBe(401);
  });
});
