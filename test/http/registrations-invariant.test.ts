// The no-oversell invariant under concurrency: hundreds of registrations, cancellations, hold
// expiries and payments at once, on one embedded instance and on two instances sharing
// PostgreSQL + Redis. A sampler reads the database throughout; at the end counters must equal
// the rows, the waitlist must be gap-free, and every expiry must have happened exactly once.
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../harness/app.js';
import { ADMIN_ENV, countersMatchRows, createEvent, organizer, query } from './events-fixtures.js';

const ENTRANTS = 240;
const CAPACITY = 40;

describe.each([
  ['pglite', 1],
  ['postgres', 2],
] as const)('registration invariant on %s with %i instance(s)', (store, instanceCount) => {
  const apps: TestApp[] = [];
  beforeAll(async () => {
    // The schedule is driven by tick() from the test, on every instance at once.
    const env = { ...ADMIN_ENV, HOLD_SWEEP_INTERVAL_MS: '600000' };
    const first = await startTestApp({ store, redis: store === 'postgres', redisKeyPrefix: `test:${randomUUID()}:`, env });
    apps.push(first);
    for (let i = 1; i < instanceCount; i++) {
      apps.push(
        await startTestApp({
          databaseUrl: first.platform.config.databaseUrl,
          redis: true,
          redisKeyPrefix: first.platform.config.redisKeyPrefix,
          env,
        }),
      );
    }
  });
  afterAll(async () => {
    for (const app of apps.reverse()) await app.stop();
  });

  it('never takes more spots than exist, and keeps counters equal to rows', async () => {
    const app = apps[0]!;
    const org = await organizer(app);
    const event = await createEvent(app, org.token, { capacity: CAPACITY, priceCents: 1000, holdSeconds: 300 });
    const guests = await Promise.all(
      Array.from({ length: ENTRANTS }, async (_, i) => {
        const response = await app.request('POST', '/api/auth/guest', { body: { nickname: `g${i}` } });
        return (await response.json()) as { token: string; user: { id: string } };
      }),
    );

    let sampling = true;
    const violations: unknown[] = [];
    let samples = 0;
    const sampler = (async () => {
      while (sampling) {
        const [row] = await query<{ capacity: number; confirmed: number; held: number; taken_rows: number }>(
          app,
          sql`select e.capacity, e.confirmed, e.held,
            (select count(*)::int from registrations r where r.event_id = e.id and r.status in ('confirmed', 'held')) as taken_rows
            from events e where e.id = ${event.id}`,
        );
        samples++;
        if (row!.confirmed + row!.held > row!.capacity || row!.taken_rows > row!.capacity || row!.taken_rows !== row!.confirmed + row!.held)
          violations.push(row);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();

    const answers: string[] = [];
    const workload = guests.map(async (guest, i) => {
      const instance = apps[i % apps.length]!;
      const send = () =>
        instance.request('POST', `/api/events/${event.id}/registrations`, { token: guest.token, headers: { 'idempotency-key': `reg-${i}` } });
      let response = await send();
      // A retry below may hold the key for a moment: do what a client does, and ask again.
      while (response.status === 409 && response.headers.get('retry-after')) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        response = await send();
      }
      const body = await response.json();
      // 200 when a duplicate retry below got in first: still this user's one registration.
      answers.push(response.status === 201 || response.status === 200 ? 'ok' : `${response.status} ${JSON.stringify(body)}`);
      const { registration } = body;
      if (i % 5 === 0) {
        await instance.request('DELETE', `/api/events/${event.id}/registrations/me`, { token: guest.token });
      } else if (i % 7 === 0 && registration.status === 'held') {
        await instance.events.settlePayment({
          registrationId: registration.id,
          provider: 'manual',
          externalId: `pay-${i}`,
          amountCents: 1000,
          currency: 'EUR',
        });
      }
    });
    // Expiries race the rest: a few holds at a time become due and every instance sweeps at once.
    let registering = true;
    const expiries = (async () => {
      for (let round = 0; registering || round < 6; round++) {
        await query(
          app,
          sql`update registrations set hold_expires_at = now() - interval '1 second'
          where id in (select id from registrations where event_id = ${event.id} and status = 'held' order by seq limit 3)`,
        );
        await Promise.all(apps.map((instance) => instance.events.tick()));
        // Pacing, not synchronisation: embedded queries resolve without yielding to I/O.
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    // Duplicate retries, with and without the same Idempotency-Key, create nothing extra.
    const retries = guests.slice(0, 20).map(async (guest, i) => {
      const instance = apps[(i + 1) % apps.length]!;
      const response = await instance.request('POST', `/api/events/${event.id}/registrations`, {
        token: guest.token,
        ...(i % 2 ? { headers: { 'idempotency-key': `reg-${i}` } } : {}),
      });
      expect([200, 201, 409]).toContain(response.status);
    });
    try {
      await Promise.all([...workload, ...retries]);
    } finally {
      registering = false;
      await expiries;
    }
    await Promise.all(apps.map((instance) => instance.events.tick()));
    sampling = false;
    await sampler;

    expect(answers.filter((status) => status !== 'ok')).toEqual([]);
    expect(violations).toEqual([]);
    expect(samples).toBeGreaterThan(3);
    const counters = await countersMatchRows(app, event.id);
    // Each audit entry is one change, or a batch listing its changes.
    const changes = sql`(select a.data->>'reason' as reason, c.value as change from audit_log a
      cross join lateral jsonb_array_elements(coalesce(a.data->'changes', jsonb_build_array(a.data))) c
      where a.event_id = ${event.id})`;
    const [rows] = await query<{ total: number; users: number; expired: number; expiries_audited: number; left_expired: number }>(
      app,
      sql`select count(*)::int as total, count(distinct user_id)::int as users,
        count(*) filter (where status = 'expired')::int as expired,
        (select count(*)::int from ${changes} x where x.reason = 'hold_expired') as expiries_audited,
        (select count(*)::int from ${changes} x where x.change->>'from' = 'expired' and x.change->>'to' <> 'expired') as left_expired
        from registrations where event_id = ${event.id}`,
    );
    expect(rows!.total).toBe(ENTRANTS);
    expect(rows!.users).toBe(ENTRANTS);
    expect(rows!.expired).toBeGreaterThan(0);
    // Every expiry is audited; a late payment may since have confirmed an expired entry. (A late
    // payment with no spot free is audited as expired -> expired with its refund: not a leave.)
    expect(rows!.expiries_audited).toBe(rows!.expired + rows!.left_expired);
    // Spots never stay free while people wait.
    if (counters.waitlisted > 0) expect(counters.confirmed + counters.held).toBe(CAPACITY);

    const list = await app.request('GET', `/api/events/${event.id}/registrations?status=waitlisted&limit=1000`, { token: org.token });
    const waiting = (await list.json()).registrations as Array<{ position: number }>;
    expect(waiting.map((r) => r.position)).toEqual(Array.from({ length: counters.waitlisted }, (_, i) => i + 1));
    const verdict = await (await app.request('GET', `/api/events/${event.id}/audit/verify`)).json();
    expect(verdict.ok).toBe(true);
    const [audit] = await query<{ n: number }>(app, sql`select count(*)::int as n from audit_log where event_id = ${event.id}`);
    expect(verdict.entries).toBe(audit!.n);
  }, 120_000);
});
