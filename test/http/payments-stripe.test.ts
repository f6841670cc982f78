// Stripe payments end to end: the real SDK in the server talks to a local Stripe API stand-in
// (an HTTP server in this process), and webhooks are signed with the SDK's test helper.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestApp, type TestApp } from '../harness/app.js';
import { waitFor } from '../harness/processes.js';
import { ADMIN_ENV, adminSession, countersMatchRows, createEvent, organizer, query, register } from './events-fixtures.js';
import { signedEvent, startStripeStandIn, type StripeStandIn } from './payments-stripe-stand-in.js';

const FAST_JOBS = { PAYMENT_RETRY_ATTEMPTS: '3', PAYMENT_RETRY_BACKOFF_MS: '20', HOLD_SWEEP_INTERVAL_MS: '50' };

async function mine(app: TestApp, eventId: string, token: string) {
  const response = await app.request('GET', `/api/events/${eventId}/registrations/me`, { token });
  expect(response.status).toBe(200);
  return (await response.json()).registration;
}

async function eventually(app: TestApp, eventId: string, token: string, check: (registration: any) => boolean, what: string) {
  await waitFor(async () => check(await mine(app, eventId, token)), 10_000, what);
  return mine(app, eventId, token);
}

async function ledger(app: TestApp, registrationId: string) {
  return query<{ kind: string; provider: string; external_id: string; amount_cents: number; attached: boolean }>(
    app,
    sql`select kind, provider, external_id, amount_cents, attached from payment_ledger where registration_id = ${registrationId} order by created_at`,
  );
}

describe.each([
  { name: 'PGlite', options: { store: 'pglite' as const } },
  { name: 'PostgreSQL + Redis (BullMQ jobs)', options: { store: 'postgres' as const, redis: true } },
])('stripe adapter against a local Stripe API stand-in (HTTP server), on $name', ({ options }) => {
  let stripe: StripeStandIn;
  let app: TestApp;
  let org: { token: string; user: { id: string } };

  beforeAll(async () => {
    stripe = await startStripeStandIn();
    app = await startTestApp({ ...options, env: { ...ADMIN_ENV, ...stripe.env, ...FAST_JOBS } });
    org = await organizer(app);
  });
  afterAll(async () => {
    await app?.stop();
    await stripe?.close();
  });

  async function heldEntrant(event: { id: string }) {
    const player = await signUp(app);
    const answer = await register(app, event.id, player.token);
    expect(answer.status).toBe(201);
    expect(answer.body.registration.status).toBe('held');
    return { player, registration: answer.body.registration as { id: string } };
  }

  async function checkout(registrationId: string, token: string) {
    const response = await app.request('POST', `/api/registrations/${registrationId}/checkout`, { token });
    return { status: response.status, body: await response.json() };
  }

  async function deliver(delivery: { payload: string; headers: Record<string, string> }) {
    const response = await app.request('POST', '/api/payments/stripe/webhook', { body: delivery.payload, headers: delivery.headers });
    return { status: response.status, body: await response.json() };
  }

  /** The customer pays the session at Stripe, and Stripe tells us. */
  function paidDelivery(sessionId: string, id?: string) {
    return signedEvent('checkout.session.completed', stripe.pay(sessionId), { id });
  }

  it("creates one checkout session per hold, for its owner only, that outlives the hold by Stripe's minimum", async () => {
    const event = await createEvent(app, org.token, { capacity: 5, priceCents: 2500, currency: 'EUR', holdSeconds: 120 });
    const { player, registration } = await heldEntrant(event);
    const before = stripe.requests.length;
    const first = await checkout(registration.id, player.token);
    expect(first.status).toBe(200);
    expect(first.body.url).toMatch(/^https:\/\/checkout\.stripe\.test\/c\/pay\/cs_test_/);
    const created = stripe.requests.slice(before).filter((r) => r.path === '/v1/checkout/sessions');
    expect(created).toHaveLength(1);
    const params = created[0]!.params;
    expect(params.get('client_reference_id')).toBe(registration.id);
    expect(params.get('metadata[registrationId]')).toBe(registration.id);
    expect(params.get('line_items[0][price_data][unit_amount]')).toBe('2500');
    expect(params.get('line_items[0][price_data][currency]')).toBe('eur');
    expect(params.get('success_url')).toContain(`/events/${event.slug}?checkout=success`);
    // A 2-minute hold still gets a session of at least 30 minutes (Stripe's minimum)...
    expect(Number(params.get('expires_at')) * 1000).toBeGreaterThanOrEqual(Date.now() + 30 * 60_000);

    // ...and asking again hands out the same session instead of a second payable one.
    const again = await checkout(registration.id, player.token);
    expect(again.body.url).toBe(first.body.url);
    expect(stripe.requests.slice(before).filter((r) => r.path === '/v1/checkout/sessions')).toHaveLength(1);

    const stranger = await signUp(app);
    expect((await checkout(registration.id, stranger.token)).body.code).toBe('FORBIDDEN');
    expect((await checkout('00000000-0000-4000-8000-000000000000', player.token)).status).toBe(404);
    expect((await checkout('not-a-uuid', player.token)).status).toBe(400);
    expect((await app.request('POST', `/api/registrations/${registration.id}/checkout`)).status).toBe(401);
  });

  it('refuses checkout unless the registration is held and unpaid', async () => {
    const free = await createEvent(app, org.token, { capacity: 5 });
    const player = await signUp(app);
    const confirmed = await register(app, free.id, player.token);
    expect(confirmed.body.registration.status).toBe('confirmed');
    const refused = await checkout(confirmed.body.registration.id, player.token);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('INVALID_STATE');
  });

  it('rejects unsigned or badly signed webhooks with 400 WEBHOOK_SIGNATURE_INVALID', async () => {
    const event = await createEvent(app, org.token, { capacity: 5, priceCents: 1000 });
    const { player, registration } = await heldEntrant(event);
    const { body } = await checkout(registration.id, player.token);
    const session = stripe.pay(body.sessionId);

    const forged = signedEvent('checkout.session.completed', session, { secret: 'whsec_wrong' });
    const bad = await deliver(forged);
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('WEBHOOK_SIGNATURE_INVALID');
    const unsigned = await deliver({ payload: forged.payload, headers: { 'content-type': 'application/json' } });
    expect(unsigned.body.code).toBe('WEBHOOK_SIGNATURE_INVALID');
    // The signature covers the exact bytes: re-serialising the body breaks it.
    const genuine = signedEvent('checkout.session.completed', session);
    const tampered = await deliver({ payload: JSON.stringify(JSON.parse(genuine.payload), null, 1), headers: genuine.headers });
    expect(tampered.body.code).toBe('WEBHOOK_SIGNATURE_INVALID');
    const text = await app.request('POST', '/api/payments/stripe/webhook', { body: 'x', headers: { 'content-type': 'text/plain' } });
    expect(text.status).toBe(415);

    expect((await mine(app, event.id, player.token)).paymentStatus).not.toBe('paid');
  });

  it('settles a paid checkout once, however often Stripe delivers it', async () => {
    const event = await createEvent(app, org.token, { capacity: 5, priceCents: 1500, currency: 'EUR' });
    const { player, registration } = await heldEntrant(event);
    const { body } = await checkout(registration.id, player.token);
    const delivery = paidDelivery(body.sessionId);

    const first = await deliver(delivery);
    expect(first).toEqual({ status: 200, body: { received: true, duplicate: false } });
    const paid = await eventually(app, event.id, player.token, (r) => r.paymentStatus === 'paid', 'the payment to settle');
    expect(paid).toMatchObject({ status: 'confirmed', paymentProvider: 'stripe', amountCents: 1500 });

    const duplicate = await deliver(delivery);
    expect(duplicate).toEqual({ status: 200, body: { received: true, duplicate: true } });
    // The same payment under another event id (Stripe can send both) settles nothing new either.
    const echo = await deliver(signedEvent('checkout.session.async_payment_succeeded', stripe.sessions.get(body.sessionId)));
    expect(echo.status).toBe(200);
    await waitFor(
      async () => (await query(app, sql`select 1 from payment_webhook_events where processed_at is null`)).length === 0,
      10_000,
      'webhooks processed',
    );
    expect(await ledger(app, registration.id)).toEqual([
      { kind: 'charge', provider: 'stripe', external_id: `pi_test_${body.sessionId}`, amount_cents: 1500, attached: true },
    ]);
    expect(stripe.refundRequests()).toHaveLength(0);
    const audit = await app.request('GET', `/api/events/${event.id}/audit`, { token: org.token });
    const entries = (await audit.json()).entries as Array<{ data: { registrationId?: string; to?: string } }>;
    expect(entries.filter((e) => e.data.registrationId === registration.id && e.data.to === 'confirmed')).toHaveLength(1);
  });

  it('refunds a late payment exactly once when its spot went to the waitlist', async () => {
    const event = await createEvent(app, org.token, { capacity: 1, priceCents: 900, holdSeconds: 600 });
    const { player: late, registration } = await heldEntrant(event);
    const { body } = await checkout(registration.id, late.token);
    const waiting = await signUp(app);
    expect((await register(app, event.id, waiting.token)).body.registration.status).toBe('waitlisted');

    // The clock passes the hold's end (moved in the record, so a slow machine cannot race it);
    // the scheduler expires it, the spot goes to the waiting entrant, the session is expired at Stripe.
    await query(app, sql`update registrations set hold_expires_at = now() - interval '1 second' where id = ${registration.id}`);
    await eventually(app, event.id, late.token, (r) => r.status === 'expired', 'the hold to expire');
    await eventually(app, event.id, waiting.token, (r) => r.status === 'held', 'the waiting entrant to be promoted');
    await waitFor(
      async () => stripe.requests.some((r) => r.path === `/v1/checkout/sessions/${body.sessionId}/expire`),
      10_000,
      'the session to be expired',
    );

    // The customer had paid just before the session closed; the delivery arrives late.
    const refundsBefore = stripe.refundRequests().length;
    const delivery = paidDelivery(body.sessionId);
    expect((await deliver(delivery)).status).toBe(200);
    const refunded = await eventually(app, event.id, late.token, (r) => r.paymentStatus === 'refunded', 'the late payment to be refunded');
    expect(refunded.status).toBe('expired');
    expect((await deliver(delivery)).body.duplicate).toBe(true);

    const refunds = stripe.refundRequests().slice(refundsBefore);
    expect(refunds).toHaveLength(1);
    expect(refunds[0]!.params.get('payment_intent')).toBe(`pi_test_${body.sessionId}`);
    expect(refunds[0]!.params.get('amount')).toBe('900');
    expect(refunds[0]!.idempotencyKey).toMatch(/^refund-/);
    expect((await ledger(app, registration.id)).map((row) => row.kind)).toEqual(['charge', 'refund']);
    expect((await mine(app, event.id, waiting.token)).status).toBe('held');
    const counters = await countersMatchRows(app, event.id);
    expect(counters.held! + counters.confirmed!).toBe(1);
  });

  it('hands out one session to concurrent checkout requests', async () => {
    const event = await createEvent(app, org.token, { capacity: 5, priceCents: 1000 });
    const { player, registration } = await heldEntrant(event);
    const answers = await Promise.all(Array.from({ length: 4 }, () => checkout(registration.id, player.token)));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    expect(new Set(answers.map((a) => a.body.sessionId)).size).toBe(1);
    const open = await query(app, sql`select session_id from payment_checkouts where registration_id = ${registration.id} and status = 'open'`);
    expect(open).toEqual([{ session_id: answers[0]!.body.sessionId }]);
    // Sessions created by requests that lost the race were withdrawn at Stripe.
    for (const session of stripe.sessions.values()) {
      if (session.client_reference_id === registration.id && session.id !== answers[0]!.body.sessionId) expect(session.status).toBe('expired');
    }
  });

  it('refunds a second payment for a registration already paid another way, and keeps the first', async () => {
    const event = await createEvent(app, org.token, { capacity: 5, priceCents: 2000 });
    const { player, registration } = await heldEntrant(event);
    const { body } = await checkout(registration.id, player.token);
    const delivery = paidDelivery(body.sessionId);
    // Paid at Stripe, but before the webhook arrives the organizer also takes cash.
    const marked = await app.request('POST', `/api/registrations/${registration.id}/mark-paid`, { token: org.token });
    expect((await marked.json()).outcome).toBe('confirmed');

    const refundsBefore = stripe.refundRequests().length;
    await deliver(delivery);
    await waitFor(
      async () => stripe.refundRequests().length > refundsBefore && (await ledger(app, registration.id)).length === 3,
      10_000,
      'the extra payment refund',
    );
    expect(
      stripe
        .refundRequests()
        .slice(refundsBefore)
        .map((r) => r.params.get('payment_intent')),
    ).toEqual([`pi_test_${body.sessionId}`]);
    expect(await mine(app, event.id, player.token)).toMatchObject({ status: 'confirmed', paymentStatus: 'paid', paymentProvider: 'manual' });
    expect((await ledger(app, registration.id)).map((row) => [row.kind, row.provider, row.attached])).toEqual([
      ['charge', 'manual', true],
      ['charge', 'stripe', false],
      ['refund', 'stripe', false],
    ]);
  });

  it('refunds a paid registration when its owner cancels', async () => {
    const event = await createEvent(app, org.token, { capacity: 3, priceCents: 4000 });
    const { player, registration } = await heldEntrant(event);
    const { body } = await checkout(registration.id, player.token);
    await deliver(paidDelivery(body.sessionId));
    await eventually(app, event.id, player.token, (r) => r.paymentStatus === 'paid', 'the payment to settle');

    const refundsBefore = stripe.refundRequests().length;
    const cancelled = await app.request('DELETE', `/api/events/${event.id}/registrations/me`, { token: player.token });
    expect(cancelled.status).toBe(200);
    const after = await eventually(app, event.id, player.token, (r) => r.paymentStatus === 'refunded', 'the refund');
    expect(after.status).toBe('cancelled');
    const refunds = stripe.refundRequests().slice(refundsBefore);
    expect(refunds.map((r) => r.params.get('payment_intent'))).toEqual([`pi_test_${body.sessionId}`]);
  });

  it('retries a failing refund, then leaves it in the dead-letter set until an admin retries it', async () => {
    const event = await createEvent(app, org.token, { capacity: 3, priceCents: 700 });
    const { player, registration } = await heldEntrant(event);
    const { body } = await checkout(registration.id, player.token);
    await deliver(paidDelivery(body.sessionId));
    await eventually(app, event.id, player.token, (r) => r.paymentStatus === 'paid', 'the payment to settle');

    stripe.failures.refunds = true;
    try {
      const refundsBefore = stripe.refundRequests().length;
      await app.request('DELETE', `/api/events/${event.id}/registrations/me`, { token: player.token });
      const admin = await adminSession(app);
      const deadLetter = async () => {
        const failed = await app.request('GET', '/api/admin/jobs/failed', { token: admin.token });
        return ((await failed.json()).jobs as Array<{ id: string; name: string; attemptsMade: number; failedReason: string }>).find(
          (job) => job.name === 'payments.refund' && stripe.refundRequests().slice(refundsBefore).length > 0,
        );
      };
      await waitFor(async () => (await deadLetter()) !== undefined, 15_000, 'the refund job to be dead-lettered');
      const job = (await deadLetter())!;
      expect(job.attemptsMade).toBe(3);
      expect(job.failedReason).toMatch(/Stripe could not refund/);
      const attempts = stripe.refundRequests().slice(refundsBefore);
      expect(attempts).toHaveLength(3);
      // Every try carries the same idempotency key, so Stripe would refund once even if a try had gone through.
      expect(new Set(attempts.map((r) => r.idempotencyKey)).size).toBe(1);
      expect((await mine(app, event.id, player.token)).paymentStatus).toBe('refund_pending');

      stripe.failures.refunds = false;
      const retried = await app.request('POST', `/api/admin/jobs/${job.id}/retry`, { token: admin.token });
      expect(retried.status).toBe(202);
      await eventually(app, event.id, player.token, (r) => r.paymentStatus === 'refunded', 'the retried refund');
      expect((await ledger(app, registration.id)).filter((row) => row.kind === 'refund')).toHaveLength(1);
    } finally {
      stripe.failures.refunds = false;
    }
  });
});

describe('stripe refunds survive a restart of the in-memory job queue (PGlite, local Stripe API stand-in)', () => {
  let stripe: StripeStandIn;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'stampede-payments-restart-'));
  const apps: TestApp[] = [];

  beforeAll(async () => {
    stripe = await startStripeStandIn();
  });
  afterAll(async () => {
    for (const app of apps) await app.stop();
    await stripe?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  // Retries far apart, so the refund is still waiting in memory when the server stops.
  const start = async () => {
    const app = await startTestApp({
      env: { ...ADMIN_ENV, ...stripe.env, STAMPEDE_DATA_DIR: dataDir, PAYMENT_RETRY_ATTEMPTS: '50', PAYMENT_RETRY_BACKOFF_MS: '600000' },
    });
    apps.push(app);
    return app;
  };

  it('refunds after the restart what the stopped server could not', async () => {
    const first = await start();
    const org = await organizer(first);
    const event = await createEvent(first, org.token, { capacity: 2, priceCents: 1100 });
    const player = await signUp(first);
    const { body: registered } = await register(first, event.id, player.token);
    const registrationId = registered.registration.id as string;
    const session = await (await first.request('POST', `/api/registrations/${registrationId}/checkout`, { token: player.token })).json();
    const delivery = signedEvent('checkout.session.completed', stripe.pay(session.sessionId));
    expect((await first.request('POST', '/api/payments/stripe/webhook', { body: delivery.payload, headers: delivery.headers })).status).toBe(200);
    await eventually(first, event.id, player.token, (r) => r.paymentStatus === 'paid', 'the payment to settle');

    stripe.failures.refunds = true;
    await first.request('DELETE', `/api/events/${event.id}/registrations/me`, { token: player.token });
    await waitFor(async () => stripe.refundRequests().length === 1, 10_000, 'the first refund try');
    await first.stop();
    apps.pop();

    stripe.failures.refunds = false;
    const second = await start();
    await eventually(second, event.id, player.token, (r) => r.paymentStatus === 'refunded', 'the refund after restart');
    expect(stripe.refundRequests()).toHaveLength(2);
    expect(new Set(stripe.refundRequests().map((r) => r.idempotencyKey)).size).toBe(1);
  });
});
