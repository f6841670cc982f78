// Who an event admits (issue 11, item 13), on PGlite and on PostgreSQL + Redis: an organizer can
// keep guest accounts out (settings.allowGuests) or require a verified email
// (settings.requireVerifiedEmail, which today means an account with an email, i.e. no guest).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestApp, type TestApp } from '../harness/app.js';
import { ADMIN_ENV, createEvent, organizer, register } from './events-fixtures.js';

describe.each([
  { store: 'pglite', redis: false },
  { store: 'postgres', redis: true },
] as const)('registration admission on $store (redis: $redis)', ({ store, redis }) => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ store, redis, env: ADMIN_ENV });
  });
  afterAll(() => app?.stop());

  async function guest() {
    const response = await app.request('POST', '/api/auth/guest', { body: { nickname: 'Fan' } });
    expect(response.status).toBe(201);
    return (await response.json()) as { user: { id: string }; token: string };
  }

  async function refused(eventId: string, token: string, code: string, body?: unknown) {
    const response = await app.request('POST', `/api/events/${eventId}/registrations`, { token, ...(body === undefined ? {} : { body }) });
    expect(response.status).toBe(403);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await response.json()).toMatchObject({ status: 403, code });
  }

  it('admits guests by default, and refuses them with GUESTS_NOT_ALLOWED or VERIFIED_EMAIL_REQUIRED when the event says so', async () => {
    const owner = await organizer(app);
    const [visitor, member] = [await guest(), await signUp(app)];

    const open = await createEvent(app, owner.token, { capacity: 10 });
    expect(open.settings).toEqual({ allowGuests: true, requireVerifiedEmail: false });
    expect((await register(app, open.id, visitor.token)).status).toBe(201);

    const noGuests = await createEvent(app, owner.token, { capacity: 10, settings: { allowGuests: false } });
    expect(noGuests.settings).toEqual({ allowGuests: false, requireVerifiedEmail: false });
    await refused(noGuests.id, visitor.token, 'GUESTS_NOT_ALLOWED');
    expect((await register(app, noGuests.id, member.token)).status).toBe(201);

    const verified = await createEvent(app, owner.token, { capacity: 10, settings: { requireVerifiedEmail: true } });
    await refused(verified.id, visitor.token, 'VERIFIED_EMAIL_REQUIRED');
    expect((await register(app, verified.id, member.token)).status).toBe(201);

    // Refusals take no spot and leave no registration.
    const counts = (await (await app.request('GET', `/api/events/${noGuests.id}`)).json()).event.counts;
    expect(counts).toMatchObject({ confirmed: 1, held: 0, waitlisted: 0 });
    expect((await app.request('GET', `/api/events/${noGuests.id}/registrations/me`, { token: visitor.token })).status).toBe(404);
  });

  it('applies a settings change to new registrations, keeps earlier ones, and holds for organizers registering a guest', async () => {
    const owner = await organizer(app);
    const [early, late] = [await guest(), await guest()];
    const event = await createEvent(app, owner.token, { capacity: 10 });
    expect((await register(app, event.id, early.token)).status).toBe(201);

    const patched = await app.request('PATCH', `/api/events/${event.id}`, { token: owner.token, body: { settings: { allowGuests: false } } });
    expect(patched.status, await patched.clone().text()).toBe(200);
    expect((await patched.json()).event.settings).toEqual({ allowGuests: false, requireVerifiedEmail: false });

    await refused(event.id, late.token, 'GUESTS_NOT_ALLOWED');
    await refused(event.id, owner.token, 'GUESTS_NOT_ALLOWED', { userId: late.user.id });
    // The guest who registered before the change keeps the spot, and asking again answers it.
    expect((await register(app, event.id, early.token)).status).toBe(200);

    // A patch changes only the settings it names.
    const both = await app.request('PATCH', `/api/events/${event.id}`, { token: owner.token, body: { settings: { requireVerifiedEmail: true } } });
    expect((await both.json()).event.settings).toEqual({ allowGuests: false, requireVerifiedEmail: true });
    const unknown = await app.request('PATCH', `/api/events/${event.id}`, { token: owner.token, body: { settings: { allowBots: true } } });
    expect(unknown.status).toBe(400);
  });
});
