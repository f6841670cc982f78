// Streaks: consecutive local days with at least one action, overall and per action type. The
// service is driven with a real transaction and chosen dates (no clocks, no sleeps), on PGlite
// and PostgreSQL; GET /api/me/streaks is checked over HTTP.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompletedAction } from '../../src/features/achievements/service.js';
import { withTransaction } from '../../src/platform/db/transaction.js';
import { signUp, startTestApp, type TestApp } from '../harness/app.js';

const typeIds = new Map<string, string>();
const typeId = (key: string) => typeIds.get(key) ?? typeIds.set(key, randomUUID()).get(key)!;
const action = (userId: string, actionTypeKey: string, at: string, utcOffsetMinutes = 0): CompletedAction => ({
  userId,
  actionTypeId: typeId(actionTypeKey),
  actionTypeKey,
  completedAt: new Date(at),
  utcOffsetMinutes,
});
/** Noon UTC on 2026-03-<day>, the same calendar day at every offset from -11:00 to +11:59. */
const noon = (day: number) => `2026-03-${String(day).padStart(2, '0')}T12:00:00Z`;

describe.each(['pglite', 'postgres'] as const)('streaks on %s', (store) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ store });
  });
  afterAll(() => app?.stop());

  const record = (...actions: CompletedAction[]) => withTransaction(app.platform.database.db, (tx) => app.achievements.recordActions(tx, actions));
  const newUser = async () => (await signUp(app)).user.id;
  const streaksAt = (userId: string, at: string) => app.achievements.streaks(userId, new Date(at));

  it('counts days in the user offset: 22:30 and 23:30 UTC are two days at UTC+1 and one day at UTC', async () => {
    const [east, utc, west] = [await newUser(), await newUser(), await newUser()];
    await record(action(east, 'checkin', '2026-03-01T22:30:00Z', 60), action(utc, 'checkin', '2026-03-01T22:30:00Z', 0));
    await record(action(east, 'checkin', '2026-03-01T23:30:00Z', 60), action(utc, 'checkin', '2026-03-01T23:30:00Z', 0));
    // UTC-5: 03:00Z is 22:00 on March 1st, 06:00Z is 01:00 on March 2nd.
    await record(action(west, 'checkin', '2026-03-02T03:00:00Z', -300));
    await record(action(west, 'checkin', '2026-03-02T06:00:00Z', -300));

    const now = '2026-03-02T12:00:00Z';
    expect((await streaksAt(east, now)).overall).toMatchObject({ current: 2, longest: 2, lastDay: '2026-03-02' });
    expect((await streaksAt(utc, now)).overall).toMatchObject({ current: 1, longest: 1, lastDay: '2026-03-01' });
    expect((await streaksAt(west, now)).overall).toMatchObject({ current: 2, longest: 2, lastDay: '2026-03-02' });
  });

  it('keeps the longest streak after a break and starts counting again', async () => {
    const user = await newUser();
    for (const day of [1, 2, 3]) await record(action(user, 'solve', noon(day)));
    await record(action(user, 'solve', noon(5)));
    expect((await streaksAt(user, noon(5))).overall).toMatchObject({ current: 1, longest: 3, lastDay: '2026-03-05' });
    await record(action(user, 'solve', noon(6)));
    await record(action(user, 'solve', noon(6)));
    expect((await streaksAt(user, noon(6))).overall).toMatchObject({ current: 2, longest: 3, lastDay: '2026-03-06' });
  });

  it('tracks each action type apart from the overall streak', async () => {
    const user = await newUser();
    await record(action(user, 'solve', noon(1)));
    await record(action(user, 'match', noon(2)));
    await record(action(user, 'solve', noon(3)));
    const streaks = await streaksAt(user, noon(3));
    expect(streaks.overall).toMatchObject({ current: 3, longest: 3 });
    expect(streaks.byActionType.solve).toMatchObject({ current: 1, longest: 1, lastDay: '2026-03-03' });
    // The match streak lives through March 3rd and is over once March 4th begins.
    expect(streaks.byActionType.match).toMatchObject({ current: 1, longest: 1, lastDay: '2026-03-02', breaksAt: '2026-03-04T00:00:00.000Z' });
    expect((await streaksAt(user, noon(4))).byActionType.match).toMatchObject({ current: 0, longest: 1, breaksAt: null });
  });

  it('applies several days of one user in one batch in day order, whatever the order they arrive in', async () => {
    const user = await newUser();
    await record(
      action(user, 'solve', noon(3)),
      action(user, 'solve', noon(1)),
      action(user, 'match', noon(2)),
      action(user, 'solve', noon(2)),
      action(user, 'solve', noon(1)),
    );
    const streaks = await streaksAt(user, noon(3));
    expect(streaks.overall).toMatchObject({ current: 3, longest: 3, lastDay: '2026-03-03' });
    expect(streaks.byActionType.solve).toMatchObject({ current: 3, longest: 3 });
    expect(streaks.byActionType.match).toMatchObject({ current: 1, longest: 1, lastDay: '2026-03-02' });
  });

  it('stores any action type key verbatim (keys travel as quoted array elements)', async () => {
    const user = await newUser();
    const key = 'we"ird, {key} \\ with NULL';
    await record(action(user, key, noon(1)), action(user, 'plain', noon(1)));
    await record(action(user, key, noon(2)));
    expect(Object.keys((await streaksAt(user, noon(2))).byActionType).sort()).toEqual([key, 'plain'].sort());
    expect((await streaksAt(user, noon(2))).byActionType[key]).toMatchObject({ current: 2, longest: 2 });
  });

  it('ignores an action dated before the last counted day', async () => {
    const user = await newUser();
    await record(action(user, 'solve', noon(10)));
    await record(action(user, 'solve', noon(9)));
    expect((await streaksAt(user, noon(10))).overall).toMatchObject({ current: 1, longest: 1, lastDay: '2026-03-10' });
  });

  it('says when the streak breaks: the end of the next local day, in UTC', async () => {
    const user = await newUser();
    await record(action(user, 'solve', '2026-03-01T20:00:00Z', 330)); // 01:30 on March 2nd in UTC+05:30
    await app.accounts.updateSettings(user, { utcOffsetMinutes: 330 });
    const alive = await streaksAt(user, '2026-03-03T18:00:00Z'); // 23:30 on March 3rd locally: still alive
    expect(alive).toMatchObject({ utcOffsetMinutes: 330, overall: { current: 1, lastDay: '2026-03-02', breaksAt: '2026-03-03T18:30:00.000Z' } });
    const broken = await streaksAt(user, '2026-03-03T18:30:00Z');
    expect(broken.overall).toMatchObject({ current: 0, longest: 1, breaksAt: null });
  });

  it('answers GET /api/me/streaks for the caller, empty before any action', async () => {
    const { user, token } = await signUp(app);
    const empty = await app.request('GET', '/api/me/streaks', { token });
    expect(empty.status).toBe(200);
    expect(await empty.json()).toEqual({
      utcOffsetMinutes: 0,
      overall: { current: 0, longest: 0, lastDay: null, breaksAt: null },
      byActionType: {},
      byActivity: {},
    });

    await app.request('PUT', '/api/me/settings', { token, body: { utcOffsetMinutes: -570 } });
    const now = new Date();
    await record(action(user.id, 'checkin', now.toISOString(), -570));
    const body = await (await app.request('GET', '/api/me/streaks', { token })).json();
    expect(body.overall).toMatchObject({ current: 1, longest: 1 });
    expect(body.byActionType.checkin).toEqual(body.overall);
    const breaksAt = Date.parse(body.overall.breaksAt);
    // A local midnight at UTC-09:30, between one and two days away.
    expect((breaksAt - 570 * 60_000) % 86_400_000).toBe(0);
    expect(breaksAt - now.getTime()).toBeGreaterThan(86_400_000);
    expect(breaksAt - now.getTime()).toBeLessThanOrEqual(2 * 86_400_000);
    expect((await app.request('GET', '/api/me/streaks')).status).toBe(401);
  });

  it('matches a day-by-day recomputation after random batches (property)', async () => {
    interface Stored {
      current: number;
      longest: number;
      lastDay: number;
    }
    const advance = (stored: Stored | undefined, day: number): Stored => {
      if (!stored) return { current: 1, longest: 1, lastDay: day };
      if (day <= stored.lastDay) return stored;
      const current = day === stored.lastDay + 1 ? stored.current + 1 : 1;
      return { current, longest: Math.max(stored.longest, current), lastDay: day };
    };
    const keys = ['a', 'b', 'c'];
    const batch = fc.array(fc.record({ key: fc.constantFrom(...keys), day: fc.integer({ min: 1, max: 20 }) }), { minLength: 1, maxLength: 6 });
    await fc.assert(
      fc.asyncProperty(fc.array(batch, { minLength: 1, maxLength: 6 }), async (batches) => {
        const user = await newUser();
        const oracle = new Map<string, Stored>();
        for (const entries of batches) {
          await record(...entries.map(({ key, day }) => action(user, key, noon(day))));
          // Within a batch each scope takes its distinct days in ascending order.
          for (const scope of ['*', ...keys]) {
            const days = [...new Set(entries.filter((entry) => scope === '*' || entry.key === scope).map((entry) => entry.day))].sort(
              (x, y) => x - y,
            );
            for (const day of days) oracle.set(scope, advance(oracle.get(scope), day));
          }
        }
        const lastDay = Math.max(...[...oracle.values()].map((stored) => stored.lastDay));
        const streaks = await streaksAt(user, noon(lastDay));
        const view = (stored: Stored | undefined) => ({
          current: stored && lastDay - stored.lastDay <= 1 ? stored.current : 0,
          longest: stored?.longest ?? 0,
        });
        expect({ current: streaks.overall.current, longest: streaks.overall.longest }).toEqual(view(oracle.get('*')));
        for (const key of keys) {
          const got = streaks.byActionType[key];
          expect(got ? { current: got.current, longest: got.longest } : view(undefined)).toEqual(view(oracle.get(key)));
        }
      }),
      { numRuns: 25 },
    );
  });
});
