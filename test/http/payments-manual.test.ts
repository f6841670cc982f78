// The manual provider: organizers mark registrations paid (cash, bank transfer); refunds are
// recorded in the ledger for the organizer to pay back.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestApp, type TestApp } from '../harness/app.js';
import { metricValue } from '../harness/metrics.js';
import { waitFor } from '../harness/processes.js';
import { ADMIN_ENV, adminSession, countersMatchRows, createEvent, organizer, query, register } from './events-fixtures.js';

describe.each([
  { name: 'PGlite', options: { store: 'pglite' as const } },
  { name: 'PostgreSQL + Redis', options: { store: 'postgres' as const, redis: true } },
])('manual payments on $name', ({ options }) => {
  let app: TestApp;
  let org: { token: string; user: { id: string } };

  beforeAll(async () => {
    app = await startTestApp({ ...options, env: { ...ADMIN_ENV, HOLD_SWEEP_INTERVAL_MS: '50', PAYMENT_RETRY_BACKOFF_MS: '20' } });
    org = await organizer(app);
  });
  afterAll(async () => app?.stop());

  const markPaid = async (registrationId: string, token: string) => {
    const response = await app.request('POST', `/api/registrations/${registrationId}/mark-paid`, { token });
    return { status: response.status, body: await response.json() };
  };
  const mine = async (eventId: string, token: string) =>
    (await (await app.request('GET', `/api/events/${eventId}/registrations/me`, { token })).json()).registration;
  const ledger = (registrationId: string) =>
    query<{ kind: string; provider: string; external_id: string; amount_cents: number }>(
      app,
      sql`select kind, provider, external_id, amount_cents from payment_ledger where registration_id = ${registrationId} order by created_at`,
    );

  async function held(event: { id: string }) {
    const player = await signUp(app);
    const answer = await register(app, event.id, player.token);
    expect(answer.body.registration.status).toBe('held');
    return { player, id: answer.body.registration.id as string };
  }

  it('confirms a held registration when its organizer marks it paid, once', async () => {
    const counted = () =>
      Promise.all([
        metricValue(app, 'payments_settled_total', { outcome: 'confirmed' }),
        metricValue(app, 'registration_changes_total', { status: 'held' }),
        metricValue(app, 'registration_changes_total', { status: 'confirmed' }),
      ]);
    const before = await counted();
    const event = await createEvent(app, org.token, { capacity: 2, priceCents: 3000, currency: 'USD' });
    const { player, id } = await held(event);

    const first = await markPaid(id, org.token);
    expect(first.status).toBe(200);
    expect(first.body.outcome).toBe('confirmed');
    expect(first.body.registration).toMatchObject({ status: 'confirmed', paymentStatus: 'paid', paymentProvider: 'manual', amountCents: 3000 });
    const again = await markPaid(id, org.token);
    expect(again.body.outcome).toBe('already-paid');
    expect(await ledger(id)).toEqual([{ kind: 'charge', provider: 'manual', external_id: `manual-${id}`, amount_cents: 3000 }]);
    expect((await mine(event.id, player.token)).status).toBe('confirmed');
    await countersMatchRows(app, event.id);
    // One payment settled, one hold, one confirmation: the repeat mark-paid counts nothing.
    expect(await counted()).toEqual([before[0]! + 1, before[1]! + 1, before[2]! + 1]);
  });

  it('lets only the event organizer or an admin mark paid', async () => {
    const event = await createEvent(app, org.token, { capacity: 5, priceCents: 500 });
    const { player, id } = await held(event);
    expect((await markPaid(id, player.token)).body.code).toBe('FORBIDDEN');
    const otherOrganizer = await organizer(app);
    expect((await markPaid(id, otherOrganizer.token)).body.code).toBe('FORBIDDEN');
    expect((await app.request('POST', `/api/registrations/${id}/mark-paid`)).status).toBe(401);
    expect((await markPaid('00000000-0000-4000-8000-000000000000', org.token)).status).toBe(404);
    const admin = await adminSession(app);
    expect((await markPaid(id, admin.token)).body.outcome).toBe('confirmed');
  });

  it('refuses what cannot be paid: a waitlisted entry, and checkout with the manual provider', async () => {
    const event = await createEvent(app, org.token, { capacity: 1, priceCents: 500 });
    const first = await held(event);
    const waiting = await signUp(app);
    const waitlisted = await register(app, event.id, waiting.token);
    expect(waitlisted.body.registration.status).toBe('waitlisted');
    const refused = await markPaid(waitlisted.body.registration.id, org.token);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('INVALID_STATE');
    const checkout = await app.request('POST', `/api/registrations/${first.id}/checkout`, { token: first.player.token });
    expect(checkout.status).toBe(409);
    expect((await checkout.json()).detail).toMatch(/manual/);
    const webhook = await app.request('POST', '/api/payments/stripe/webhook', { body: '{}', headers: { 'stripe-signature': 't=1,v1=x' } });
    expect(webhook.status).toBe(404);
  });

  it('records a manual refund when a paid registration is cancelled', async () => {
    const event = await createEvent(app, org.token, { capacity: 2, priceCents: 1200 });
    const { player, id } = await held(event);
    await markPaid(id, org.token);
    const cancelled = await app.request('DELETE', `/api/events/${event.id}/registrations/me`, { token: player.token });
    expect(cancelled.status).toBe(200);
    await waitFor(async () => (await mine(event.id, player.token)).paymentStatus === 'refunded', 10_000, 'the manual refund');
    expect(await ledger(id)).toEqual([
      { kind: 'charge', provider: 'manual', external_id: `manual-${id}`, amount_cents: 1200 },
      { kind: 'refund', provider: 'manual', external_id: `manual-refund-manual-${id}`, amount_cents: 1200 },
    ]);
  });

  it('confirms a late payment while a spot is free, and refunds it when none is', async () => {
    const roomy = await createEvent(app, org.token, { capacity: 2, priceCents: 800, holdSeconds: 1 });
    const lapsed = await held(roomy);
    await waitFor(async () => (await mine(roomy.id, lapsed.player.token)).status === 'expired', 10_000, 'the hold to expire');
    const late = await markPaid(lapsed.id, org.token);
    expect(late.body.outcome).toBe('confirmed');
    expect(late.body.registration.status).toBe('confirmed');

    const full = await createEvent(app, org.token, { capacity: 1, priceCents: 800, holdSeconds: 1 });
    const unlucky = await held(full);
    const waiting = await signUp(app);
    await register(app, full.id, waiting.token);
    await waitFor(async () => (await mine(full.id, waiting.token)).status === 'held', 10_000, 'the waiting entrant to be promoted');
    const refused = await markPaid(unlucky.id, org.token);
    expect(refused.body.outcome).toBe('refund');
    await waitFor(async () => (await mine(full.id, unlucky.player.token)).paymentStatus === 'refunded', 10_000, 'the refund');
    expect((await mine(full.id, unlucky.player.token)).status).toBe('expired');
    expect((await ledger(unlucky.id)).map((row) => row.kind)).toEqual(['charge', 'refund']);
    const counters = await countersMatchRows(app, full.id);
    expect(counters.held! + counters.confirmed!).toBe(1);
  });
});
