// Paid registrations: holds, their durable expiry with promotion, payments (on time, late,
// refused), cancellations and refunds, and the live pushes, on PGlite and PostgreSQL + Redis.
import { sql } from 'drizzle-orm';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../harness/app.js';
import { waitFor } from '../harness/processes.js';
import { ADMIN_ENV, countersMatchRows, createEvent, organizer, players, query, register } from './events-fixtures.js';

describe.each([
  ['pglite', false],
  ['postgres', true],
] as const)('paid registrations on %s', (store, redis) => {
  let app: TestApp;
  let org: Awaited<ReturnType<typeof organizer>>;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    // A long sweep interval: these tests drive the scheduler with tick() for exact steps.
    app = await startTestApp({ store, redis, env: { ...ADMIN_ENV, HOLD_SWEEP_INTERVAL_MS: '600000' } });
    org = await organizer(app);
  });
  afterAll(async () => {
    for (const socket of sockets) socket.disconnect();
    await app?.stop();
  });

  const mine = async (eventId: string, token: string) =>
    (await (await app.request('GET', `/api/events/${eventId}/registrations/me`, { token })).json()).registration;
  const expireHold = (registrationId: string) =>
    query(app, sql`update registrations set hold_expires_at = now() - interval '1 second' where id = ${registrationId}`);
  const pay = (registrationId: string, externalId: string, amountCents = 2500) =>
    app.events.settlePayment({ registrationId, provider: 'manual', externalId, amountCents, currency: 'eur' });

  it('holds a paid spot until payment, and confirms it once when paid', async () => {
    const event = await createEvent(app, org.token, { capacity: 1, priceCents: 2500, currency: 'EUR', holdSeconds: 300 });
    const [a] = await players(app, 1);
    const { body } = await register(app, event.id, a!.token);
    const held = body.registration;
    expect(held).toMatchObject({ status: 'held', paymentStatus: 'pending', event: { priceCents: 2500, currency: 'EUR' } });
    const expiresIn = new Date(held.holdExpiresAt).getTime() - Date.now();
    expect(expiresIn).toBeGreaterThan(290_000);
    expect(expiresIn).toBeLessThanOrEqual(300_000);
    expect(await app.events.isConfirmedEntrant(event.id, a!.user.id)).toBe(false);

    const paid = await pay(held.id, 'cash-1');
    expect(paid.outcome).toBe('confirmed');
    expect(paid.registration).toMatchObject({ status: 'confirmed', paymentStatus: 'paid', amountCents: 2500, holdExpiresAt: null });
    expect((await pay(held.id, 'cash-1')).outcome).toBe('already-paid');
    expect(await app.events.isConfirmedEntrant(event.id, a!.user.id)).toBe(true);
    expect(await app.events.eventExists(event.id)).toBe(true);
    expect(await app.events.eventExists('00000000-0000-4000-8000-000000000000')).toBe(false);
    expect(await app.events.getRegistration(held.id)).toMatchObject({ id: held.id, status: 'confirmed', event: { title: 'Regional' } });
    await expect(pay('00000000-0000-4000-8000-000000000000', 'x')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await countersMatchRows(app, event.id);
  });

  it('expires an unpaid hold on the durable schedule and gives the spot to the waitlist head, live', async () => {
    const event = await createEvent(app, org.token, { capacity: 1, priceCents: 2500, holdSeconds: 300 });
    const [a, b, c] = await players(app, 3);
    const first = (await register(app, event.id, a!.token)).body.registration;
    await register(app, event.id, b!.token);
    await register(app, event.id, c!.token);

    const socket = connect(app.url, { auth: { token: b!.token }, transports: ['websocket'], reconnection: false });
    sockets.push(socket);
    await new Promise<void>((resolve) => socket.once('ready', () => resolve()));
    expect(await socket.emitWithAck('subscribe', `event:${event.id}`)).toMatchObject({ ok: true });
    const pushes: Array<{ status: string }> = [];
    const counts: Array<{ waitlistPromoted: number; held: number }> = [];
    socket.on('registration', (payload) => pushes.push(payload));
    socket.on('counts', (payload) => counts.push(payload));

    // Not due yet: the sweep leaves it alone.
    await app.events.tick();
    expect((await mine(event.id, a!.token)).status).toBe('held');
    const listener: Array<{ previousStatus: string | null; status: string }> = [];
    app.events.onRegistrationChanged(({ registration, previousStatus }) => listener.push({ previousStatus, status: registration.status }));

    await expireHold(first.id);
    await app.events.tick();
    expect(await mine(event.id, a!.token)).toMatchObject({ status: 'expired', statusReason: 'hold_expired', paymentStatus: 'none' });
    const promoted = await mine(event.id, b!.token);
    expect(promoted).toMatchObject({ status: 'held', paymentStatus: 'pending' });
    expect(new Date(promoted.holdExpiresAt).getTime()).toBeGreaterThan(Date.now());
    expect(await mine(event.id, c!.token)).toMatchObject({ status: 'waitlisted', position: 1, waitlistPromoted: 1 });
    expect(listener).toEqual(
      expect.arrayContaining([
        { previousStatus: 'held', status: 'expired' },
        { previousStatus: 'waitlisted', status: 'held' },
      ]),
    );

    await waitFor(async () => pushes.some((p) => p.status === 'held'), 5_000, 'the promotion push');
    await waitFor(async () => counts.some((p) => p.waitlistPromoted === 1 && p.held === 1), 5_000, 'the counts with the head counter');
    // A second sweep finds nothing more to do: expiry happens once.
    await app.events.tick();
    const audit = await query<{ n: number }>(
      app,
      sql`select count(*)::int as n from audit_log where event_id = ${event.id} and data->>'reason' = 'hold_expired'`,
    );
    expect(audit[0]!.n).toBe(1);
    await countersMatchRows(app, event.id);

    // The late payment of the expired hold finds no free spot: it is marked for refund, never kept.
    const late = await pay(first.id, 'late-1');
    expect(late.outcome).toBe('refund');
    expect(late.registration).toMatchObject({ status: 'expired', paymentStatus: 'refund_pending' });
    expect((await app.events.pendingRefunds()).map((r) => r.id)).toContain(first.id);
    await app.events.markRefunded(first.id, 're_1');
    expect((await app.events.getRegistration(first.id))!.paymentStatus).toBe('refunded');
    await app.events.markRefunded(first.id, 're_1');
    expect((await app.events.pendingRefunds()).map((r) => r.id)).not.toContain(first.id);
  });

  it('confirms a late payment when a spot is free, and refunds a wrong amount', async () => {
    const event = await createEvent(app, org.token, { capacity: 2, priceCents: 2500, holdSeconds: 300 });
    const [a, b] = await players(app, 2);
    const first = (await register(app, event.id, a!.token)).body.registration;
    const second = (await register(app, event.id, b!.token)).body.registration;
    await expireHold(first.id);
    await app.events.tick();
    expect((await app.events.getRegistration(first.id))!.status).toBe('expired');
    const late = await pay(first.id, 'late-ok');
    expect(late).toMatchObject({ outcome: 'confirmed', registration: { status: 'confirmed', paymentStatus: 'paid' } });
    // A wrong amount is refused and refunded, and the hold can still be paid properly.
    const short = await pay(second.id, 'short', 100);
    expect(short).toMatchObject({ outcome: 'refund', registration: { status: 'held', paymentStatus: 'pending' } });
    expect((await pay(second.id, 'full')).outcome).toBe('confirmed');
    await countersMatchRows(app, event.id);
  });

  it('confirms a payment for a cancelled registration only while a spot is free', async () => {
    const event = await createEvent(app, org.token, { capacity: 1, priceCents: 2500 });
    const [a, b] = await players(app, 2);
    const first = (await register(app, event.id, a!.token)).body.registration;
    await app.request('DELETE', `/api/events/${event.id}/registrations/me`, { token: a!.token });
    expect((await pay(first.id, 'desk-cash')).outcome).toBe('confirmed');
    const second = (await register(app, event.id, b!.token)).body.registration;
    expect(second.status).toBe('waitlisted');
    // Paying while waitlisted takes no spot: refused, the entry keeps its place.
    expect(await pay(second.id, 'too-early')).toMatchObject({ outcome: 'refund', registration: { status: 'waitlisted', paymentStatus: 'none' } });
    await countersMatchRows(app, event.id);
  });

  it('marks a cancelled paid registration refund_pending in the same transaction and promotes the next', async () => {
    const event = await createEvent(app, org.token, { capacity: 1, priceCents: 2500 });
    const [a, b] = await players(app, 2);
    const first = (await register(app, event.id, a!.token)).body.registration;
    await register(app, event.id, b!.token);
    await pay(first.id, 'paid-then-cancelled');
    const changes: string[] = [];
    app.events.onRegistrationChanged(({ registration, previousPaymentStatus }) => {
      if (registration.id === first.id) changes.push(`${previousPaymentStatus}->${registration.paymentStatus}`);
    });
    const cancelled = await app.request('DELETE', `/api/events/${event.id}/registrations/me`, { token: a!.token });
    expect((await cancelled.json()).registration).toMatchObject({ status: 'cancelled', paymentStatus: 'refund_pending', amountCents: 2500 });
    expect(changes).toEqual(['paid->refund_pending']);
    expect(await mine(event.id, b!.token)).toMatchObject({ status: 'held' });
    const [row] = await query<{ n: number }>(
      app,
      sql`select count(*)::int as n from registrations where event_id = ${event.id} and payment_status = 'refund_pending'`,
    );
    expect(row!.n).toBe(1);
    // A payment arriving for the cancelled registration is refunded, not kept.
    expect((await pay(first.id, 'after-cancel')).outcome).toBe('refund');
    await countersMatchRows(app, event.id);
  });

  it('pushes the entrant their own registration changes', async () => {
    const event = await createEvent(app, org.token, { capacity: 1 });
    const [a, b] = await players(app, 2);
    const socket = connect(app.url, { auth: { token: b!.token }, transports: ['websocket'], reconnection: false });
    sockets.push(socket);
    await new Promise<void>((resolve) => socket.once('ready', () => resolve()));
    const pushes: Array<{ status: string; position: number | null }> = [];
    socket.on('registration', (payload) => pushes.push(payload));
    await register(app, event.id, a!.token);
    await register(app, event.id, b!.token);
    await app.request('DELETE', `/api/events/${event.id}/registrations/me`, { token: a!.token });
    await waitFor(async () => pushes.length >= 2, 5_000, 'two pushes');
    expect(pushes.map((p) => [p.status, p.position])).toEqual([
      ['waitlisted', 1],
      ['confirmed', null],
    ]);
  });
});
