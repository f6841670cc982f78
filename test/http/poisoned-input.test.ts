// One bad request never fails another. Input PostgreSQL would reject (a NUL character), input
// that would overflow the stack (JSON nested thousands deep) and names that look up the object
// prototype ("toString") are refused with a 400 before they reach a shared batch; and anything
// that still poisons a batch is cornered by splitting it, so it fails alone.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestApp, type TestApp } from '../harness/app.js';
import { ADMIN_ENV, adminSession, createEvent, organizer, players, register } from './events-fixtures.js';

/** JSON text nested `depth` objects deep (JSON.stringify itself would overflow at 6,000). */
const nested = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

describe('poisoned input', () => {
  let app: TestApp;
  let admin: string;
  beforeAll(async () => {
    app = await startTestApp({ env: ADMIN_ENV });
    admin = (await adminSession(app)).token;
  });
  afterAll(() => app?.stop());

  it('answers 400 VALIDATION_FAILED, not 500, to a NUL in a path parameter, a query or a body, signed in or not', async () => {
    const { token } = await signUp(app);
    const cases = [
      app.request('GET', '/api/events/%00'),
      app.request('GET', `/api/leaderboards/a%00b`),
      app.request('GET', '/api/leaderboards/global?period=%00'),
      app.request('POST', '/api/auth/guest', { body: { nickname: 'nul\u0000name' } }),
      app.request('POST', '/api/actions/complete', { token, body: { actionType: 'x', identifier: 'a\u0000b' } }),
      app.request('POST', '/api/actions/complete', { token, body: { actionType: 'x', metadata: { ['k\u0000']: 1 } } }),
    ];
    for (const response of await Promise.all(cases)) {
      expect(response.status).toBe(400);
      expect((await response.json()).code).toBe('VALIDATION_FAILED');
    }
  });

  it('answers 400, not 500, to a number that is not finite, in a query or a body', async () => {
    const { token } = await signUp(app);
    for (const response of [
      await app.request('GET', '/api/leaderboards/global?offset=1e309'),
      await app.request('GET', '/api/leaderboards/global?limit=-1e400'),
      await app.request('POST', '/api/actions/complete', { token, body: '{"actionType":"x","identifier":"i","metadata":{"n":1e309}}' }),
    ]) {
      expect(response.status).toBe(400);
      expect((await response.json()).detail).toMatch(/must be a finite number|must be/);
    }
  });

  it('answers 400 to JSON nested 6,000 levels deep, and accepts 30', async () => {
    const { token } = await signUp(app);
    const deep = await app.request('POST', '/api/actions/complete', { token, body: `{"actionType":"x","metadata":${nested(6_000)}}` });
    expect(deep.status).toBe(400);
    expect((await deep.json()).detail).toMatch(/nests deeper than 32 levels/);
    const anonymous = await app.request('POST', '/api/auth/guest', { body: `{"nickname":"deep","extra":${nested(6_000)}}` });
    expect(anonymous.status).toBe(400);
    // 30 levels pass the guard and reach the action-type lookup.
    const fine = await app.request('POST', '/api/actions/complete', {
      token,
      body: `{"actionType":"missing-${randomUUID()}","identifier":"i","metadata":${nested(30)}}`,
    });
    expect(fine.status, await fine.clone().text()).toBe(404);
  });

  it('lets 10 concurrent completions succeed beside a poisoned one sent at the same moment', async () => {
    const type = await app.request('POST', '/api/action-types', {
      token: admin,
      body: { key: `t-${randomUUID().slice(0, 8)}`, name: 'Solve', baseScore: 5 },
    });
    const { key } = await type.json();
    const [victim, attacker] = await Promise.all([signUp(app), signUp(app)]);
    const answers = await Promise.all([
      app.request('POST', '/api/actions/complete', {
        token: attacker.token,
        body: { actionType: key, identifier: 'x\u0000', metadata: { note: '\u0000' } },
      }),
      ...Array.from({ length: 10 }, (_, i) =>
        app.request('POST', '/api/actions/complete', { token: victim.token, body: { actionType: key, identifier: `ok-${i}` } }),
      ),
    ]);
    expect(answers[0]!.status).toBe(400);
    expect(answers.slice(1).map((answer) => answer.status)).toEqual(Array(10).fill(200));
  });

  it('refuses a priority group named after an Object.prototype member, and registrations beside it succeed', async () => {
    const owner = await organizer(app);
    const event = await createEvent(app, owner.token, { capacity: 5, priorityGroups: { vip: 3 } });
    const [target, ...others] = await players(app, 6);
    for (const group of ['toString', '__proto__', 'constructor', 'hasOwnProperty']) {
      const response = await app.request('PUT', `/api/events/${event.id}/priority`, { token: owner.token, body: { userId: target!.user.id, group } });
      expect(response.status).toBe(400);
      expect((await response.json()).code).toBe('VALIDATION_FAILED');
    }
    const answers = await Promise.all([target!, ...others].map((player) => register(app, event.id, player.token)));
    expect(answers.map((answer) => answer.status)).toEqual(Array(6).fill(201));
  });
});
