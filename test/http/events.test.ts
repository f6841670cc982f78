// Events management and FCFS registration over HTTP, on the embedded PGlite and on PostgreSQL + Redis.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestApp, type TestApp } from '../harness/app.js';
import {
  ADMIN_ENV,
  adminSession,
  countersMatchRows,
  createEvent,
  isoIn,
  organizer,
  players,
  query,
  register,
  uniqueSlug,
} from './events-fixtures.js';

describe.each([
  ['pglite', false],
  ['postgres', true],
] as const)('events on %s', (store, redis) => {
  let app: TestApp;
  let org: Awaited<ReturnType<typeof organizer>>;
  beforeAll(async () => {
    app = await startTestApp({ store, redis, env: ADMIN_ENV });
    org = await organizer(app);
  });
  afterAll(() => app?.stop());

  it('creates an event with the documented defaults and serves it by id and by slug', async () => {
    const slug = uniqueSlug('vgc');
    const response = await app.request('POST', '/api/events', {
      token: org.token,
      body: { slug, title: 'VGC Regional', capacity: 700, mode: 'fcfs' },
    });
    expect(response.status).toBe(201);
    const { event } = await response.json();
    expect(event).toMatchObject({
      slug,
      capacity: 700,
      mode: 'fcfs',
      status: 'open',
      holdSeconds: 600,
      priceCents: 0,
      waitlist: true,
      preQueue: false,
      createdBy: org.user.id,
      counts: { capacity: 700, confirmed: 0, held: 0, available: 700, waitlisted: 0, entered: 0, waitlistPromoted: 0 },
    });
    const byId = await (await app.request('GET', `/api/events/${event.id}`)).json();
    const bySlug = await (await app.request('GET', `/api/events/${slug}`)).json();
    expect(byId.event.id).toBe(event.id);
    expect(bySlug.event.id).toBe(event.id);
    const list = await (await app.request('GET', '/api/events?limit=100')).json();
    expect(list.events.map((e: { id: string }) => e.id)).toContain(event.id);
    const mine = await (await app.request('GET', '/api/events?mine=true', { token: org.token })).json();
    expect(mine.events.every((e: { createdBy: string }) => e.createdBy === org.user.id)).toBe(true);
  });

  it('refuses bad creations with the right problem', async () => {
    const player = await signUp(app);
    const body = { slug: uniqueSlug(), title: 'x', capacity: 5, mode: 'fcfs' };
    expect((await app.request('POST', '/api/events', { body })).status).toBe(401);
    const forbidden = await app.request('POST', '/api/events', { token: player.token, body });
    expect(forbidden.status).toBe(403);
    expect((await forbidden.json()).code).toBe('FORBIDDEN');
    // Who may ask is settled before what was asked: a bad body from the wrong caller is still 401/403.
    expect((await app.request('POST', '/api/events', { body: { capacity: 'many' } })).status).toBe(401);
    expect((await app.request('POST', '/api/events', { token: player.token, body: { capacity: 'many' } })).status).toBe(403);
    for (const bad of [
      { ...body, capacity: 0 },
      { ...body, mode: 'raffle' },
      { ...body, slug: 'Has Spaces' },
      { ...body, priorityGroups: { vip: 0 } },
      { ...body, extra: true },
      { ...body, opensAt: isoIn(60_000), closesAt: isoIn(30_000) },
      { ...body, preQueue: true },
      { ...body, mode: 'lottery', preQueue: true, opensAt: isoIn(60_000) },
    ]) {
      const response = await app.request('POST', '/api/events', { token: org.token, body: bad });
      expect(response.status, JSON.stringify(bad)).toBe(400);
      expect((await response.json()).code).toBe('VALIDATION_FAILED');
    }
    expect((await app.request('POST', '/api/events', { token: org.token, body })).status).toBe(201);
    const taken = await app.request('POST', '/api/events', { token: org.token, body });
    expect(taken.status).toBe(409);
    expect((await taken.json()).code).toBe('SLUG_TAKEN');
    expect((await app.request('GET', '/api/events/no-such-event')).status).toBe(404);
    expect((await app.request('GET', '/api/events/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });

  it('lets only the creating organizer or an admin manage an event', async () => {
    const event = await createEvent(app, org.token);
    const other = await organizer(app);
    const admin = await adminSession(app);
    const byOther = await app.request('PATCH', `/api/events/${event.id}`, { token: other.token, body: { title: 'Mine now' } });
    expect(byOther.status).toBe(403);
    const byAdmin = await app.request('PATCH', `/api/events/${event.id}`, { token: admin.token, body: { title: 'Renamed' } });
    expect(byAdmin.status).toBe(200);
    expect((await byAdmin.json()).event.title).toBe('Renamed');
    expect((await app.request('POST', `/api/events/${event.id}/close`, { token: other.token })).status).toBe(403);
    expect((await app.request('GET', `/api/events/${event.id}/registrations`, { token: other.token })).status).toBe(403);
    expect((await app.request('PATCH', `/api/events/${event.id}`, { token: org.token, body: {} })).status).toBe(400);
  });

  it('confirms free spots in arrival order, then waitlists with positions, and never registers anyone twice', async () => {
    const event = await createEvent(app, org.token, { capacity: 2 });
    const [a, b, c, d] = await players(app, 4);
    const first = await register(app, event.id, a!.token);
    expect(first.status).toBe(201);
    expect(first.body.registration).toMatchObject({
      status: 'confirmed',
      userId: a!.user.id,
      eventId: event.id,
      position: null,
      paymentStatus: 'none',
    });
    // The body is optional, and {} is accepted.
    expect((await register(app, event.id, b!.token, {})).body.registration.status).toBe('confirmed');
    const third = await register(app, event.id, c!.token);
    expect(third.body.registration).toMatchObject({ status: 'waitlisted', position: 1, waitlistPromoted: 0 });
    expect((await register(app, event.id, d!.token)).body.registration).toMatchObject({ status: 'waitlisted', position: 2 });

    const again = await register(app, event.id, a!.token);
    expect(again.status).toBe(200);
    expect(again.body.registration.id).toBe(first.body.registration.id);
    const waitingAgain = await register(app, event.id, d!.token);
    expect(waitingAgain.status).toBe(200);
    expect(waitingAgain.body.registration.position).toBe(2);

    const { event: live } = await (await app.request('GET', `/api/events/${event.id}`)).json();
    expect(live.counts).toMatchObject({ confirmed: 2, held: 0, available: 0, waitlisted: 2 });
    await countersMatchRows(app, event.id);
  });

  it('answers EVENT_FULL when the waitlist is off', async () => {
    const event = await createEvent(app, org.token, { capacity: 1, waitlist: false });
    const [a, b] = await players(app, 2);
    expect((await register(app, event.id, a!.token)).status).toBe(201);
    const full = await register(app, event.id, b!.token);
    expect(full.status).toBe(409);
    expect(full.body.code).toBe('EVENT_FULL');
    expect(await query(app, sql`select 1 from registrations where event_id = ${event.id} and user_id = ${b!.user.id}`)).toHaveLength(0);
  });

  it('promotes the waitlist head when a spot is cancelled, and moves the head counter', async () => {
    const event = await createEvent(app, org.token, { capacity: 1 });
    const [a, b, c] = await players(app, 3);
    await register(app, event.id, a!.token);
    await register(app, event.id, b!.token);
    await register(app, event.id, c!.token);
    const before = await (await app.request('GET', `/api/events/${event.id}/registrations/me`, { token: c!.token })).json();
    expect(before.registration).toMatchObject({ status: 'waitlisted', position: 2, waitlistPromoted: 0 });

    const cancelled = await app.request('DELETE', `/api/events/${event.id}/registrations/me`, { token: a!.token });
    expect(cancelled.status).toBe(200);
    expect((await cancelled.json()).registration).toMatchObject({ status: 'cancelled', statusReason: 'cancelled' });
    const promoted = await (await app.request('GET', `/api/events/${event.id}/registrations/me`, { token: b!.token })).json();
    expect(promoted.registration.status).toBe('confirmed');
    const after = await (await app.request('GET', `/api/events/${event.id}/registrations/me`, { token: c!.token })).json();
    // The client-side rule: position - (head now - head then) gives the same answer.
    expect(after.registration).toMatchObject({ status: 'waitlisted', position: 1, waitlistPromoted: 1 });

    // Cancelling twice changes nothing; a cancelled user keeps their one registration.
    const twice = await app.request('DELETE', `/api/events/${event.id}/registrations/me`, { token: a!.token });
    expect((await twice.json()).registration.status).toBe('cancelled');
    const back = await register(app, event.id, a!.token);
    expect(back.status).toBe(200);
    expect(back.body.registration.status).toBe('cancelled');
    expect((await app.request('GET', `/api/events/${event.id}/registrations/me`, { token: (await signUp(app)).token })).status).toBe(404);
    await countersMatchRows(app, event.id);
  });

  it('orders the waitlist by priority weight, then arrival', async () => {
    const event = await createEvent(app, org.token, { capacity: 1, priorityGroups: { vip: 5, member: 2 } });
    const [a, b, c, d, e] = await players(app, 5);
    const set = await app.request('PUT', `/api/events/${event.id}/priority`, {
      token: org.token,
      body: [
        { userId: d!.user.id, group: 'vip' },
        { userId: c!.user.id, group: 'member' },
      ],
    });
    expect(set.status).toBe(200);
    expect((await set.json()).priorities).toHaveLength(2);
    const unknown = await app.request('PUT', `/api/events/${event.id}/priority`, { token: org.token, body: { userId: e!.user.id, group: 'gold' } });
    expect(unknown.status).toBe(400);
    expect(
      (
        await app.request('PUT', `/api/events/${event.id}/priority`, {
          token: org.token,
          body: { userId: '00000000-0000-4000-8000-000000000000', group: 'vip' },
        })
      ).status,
    ).toBe(404);

    for (const player of [a, b, c, d]) await register(app, event.id, player!.token);
    const position = async (token: string) =>
      (await (await app.request('GET', `/api/events/${event.id}/registrations/me`, { token })).json()).registration.position;
    expect(await position(d!.token)).toBe(1);
    expect(await position(c!.token)).toBe(2);
    expect(await position(b!.token)).toBe(3);
    // A later priority change reorders the waiting entry: same weight as d, but b arrived first.
    await app.request('PUT', `/api/events/${event.id}/priority`, { token: org.token, body: { userId: b!.user.id, group: 'vip' } });
    expect(await position(b!.token)).toBe(1);
    const list = await (await app.request('GET', `/api/events/${event.id}/registrations?status=waitlisted`, { token: org.token })).json();
    expect(list.registrations.map((r: { userId: string; position: number }) => [r.userId, r.position])).toEqual([
      [b!.user.id, 1],
      [d!.user.id, 2],
      [c!.user.id, 3],
    ]);
    expect(list.total).toBe(3);
  });

  it('enforces opensAt and closesAt by the clock, and gives manual control', async () => {
    const opensAt = isoIn(3_600_000);
    const event = await createEvent(app, org.token, { opensAt });
    expect(event.status).toBe('scheduled');
    const [a, b] = await players(app, 2);
    const early = await register(app, event.id, a!.token);
    expect(early.status).toBe(409);
    expect(early.body).toMatchObject({ code: 'REGISTRATION_NOT_OPEN', opensAt: new Date(opensAt).toISOString() });

    const opened = await app.request('POST', `/api/events/${event.id}/open`, { token: org.token });
    expect((await opened.json()).event.status).toBe('open');
    expect((await app.request('POST', `/api/events/${event.id}/open`, { token: org.token })).status).toBe(409);
    expect((await register(app, event.id, a!.token)).status).toBe(201);
    const closed = await app.request('POST', `/api/events/${event.id}/close`, { token: org.token });
    expect((await closed.json()).event.status).toBe('closed');
    const late = await register(app, event.id, b!.token);
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('REGISTRATION_CLOSED');
    // Someone already in gets their registration back, not an error.
    expect((await register(app, event.id, a!.token)).status).toBe(200);

    // A closesAt already passed closes the event even before any scheduler tick.
    const clocked = await createEvent(app, org.token);
    await query(app, sql`update events set closes_at = now() - interval '1 second' where id = ${clocked.id}`);
    expect((await register(app, clocked.id, b!.token)).body.code).toBe('REGISTRATION_CLOSED');
    expect((await (await app.request('GET', `/api/events/${clocked.id}`)).json()).event.status).toBe('closed');
    // An opensAt just passed opens it for the next request, whatever the timers did.
    const soon = await createEvent(app, org.token, { opensAt: isoIn(3_600_000) });
    await query(app, sql`update events set opens_at = now() - interval '1 second' where id = ${soon.id}`);
    expect((await register(app, soon.id, b!.token)).status).toBe(201);
  });

  it('lets an organizer register someone else, but not a player', async () => {
    const event = await createEvent(app, org.token, { capacity: 5 });
    const [a, b] = await players(app, 2);
    const byPlayer = await register(app, event.id, a!.token, { userId: b!.user.id });
    expect(byPlayer.status).toBe(403);
    const forSelf = await register(app, event.id, a!.token, { userId: a!.user.id });
    expect(forSelf.status).toBe(201);
    const byOrganizer = await register(app, event.id, org.token, { userId: b!.user.id });
    expect(byOrganizer.status).toBe(201);
    expect(byOrganizer.body.registration).toMatchObject({ userId: b!.user.id, registeredBy: org.user.id, status: 'confirmed' });
    expect((await register(app, event.id, org.token, { userId: '00000000-0000-4000-8000-000000000000' })).status).toBe(404);
    expect((await register(app, event.id, a!.token, { userId: 'not-a-uuid' })).status).toBe(400);
    expect((await app.request('POST', `/api/events/${event.id}/registrations`)).status).toBe(401);
    expect((await register(app, 'no-such-event', a!.token)).status).toBe(404);
  });

  it('keeps capacity at or above the taken spots, and promotes into added capacity', async () => {
    const event = await createEvent(app, org.token, { capacity: 2 });
    const [a, b, c] = await players(app, 3);
    for (const player of [a, b, c]) await register(app, event.id, player!.token);
    const below = await app.request('PATCH', `/api/events/${event.id}`, { token: org.token, body: { capacity: 1 } });
    expect(below.status).toBe(422);
    expect((await below.json()).code).toBe('CAPACITY_BELOW_TAKEN');
    const raised = await app.request('PATCH', `/api/events/${event.id}`, { token: org.token, body: { capacity: 3 } });
    expect((await raised.json()).event.counts).toMatchObject({ capacity: 3, confirmed: 3, waitlisted: 0, waitlistPromoted: 1 });
    const price = await app.request('PATCH', `/api/events/${event.id}`, { token: org.token, body: { priceCents: 500 } });
    expect(price.status).toBe(409);
    expect((await price.json()).code).toBe('INVALID_STATE');
    // The database refuses an oversell even if the application were wrong.
    await expect(query(app, sql`update events set confirmed = capacity + 1 where id = ${event.id}`)).rejects.toThrow();
  });

  it('exports registrations as CSV for the organizer', async () => {
    const event = await createEvent(app, org.token, { capacity: 1 });
    const [a, b] = await players(app, 2);
    await register(app, event.id, a!.token);
    await register(app, event.id, b!.token);
    const response = await app.request('GET', `/api/events/${event.id}/registrations`, { token: org.token, headers: { accept: 'text/csv' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (await response.text()).trim().split('\r\n');
    expect(lines[0]).toBe(
      'id,userId,handle,status,statusReason,position,seq,priorityGroup,drawRank,holdExpiresAt,paymentStatus,amountCents,paidAt,createdAt',
    );
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain(`,${a!.user.id},`);
    expect(lines[2]).toMatch(/,waitlisted,,1,2,/);
  });
});
