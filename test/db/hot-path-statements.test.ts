// Every statement a registration and an action completion send, read from the query log. Each
// is sent once per batch, never once per request: 25 requests in one batch send exactly the
// statements one request sends. The lists are in docs/architecture.md ("Hot write paths");
// change both together.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IdempotencyTicket } from '../../src/platform/idempotency/port.js';
import { signUp, startTestApp, TEST_JWT_SECRET, type TestApp } from '../harness/app.js';
import { createUsers, tokenSigner, type Entrant } from '../harness/entrants.js';
import { ADMIN_ENV, adminSession, createEvent } from '../http/events-fixtures.js';

/** A statement as the list names it: its verb and the table it reads or writes. */
function shape(statement: string): string {
  const words = statement.replace(/\s+/g, ' ').trim().toLowerCase();
  const verb = words.split(' ')[0]!;
  const table = verb === 'update' ? /^update "?([a-z_]+)/.exec(words)?.[1] : /(?:from|into) "?([a-z_]+)/.exec(words)?.[1];
  const what = words.includes('revoked_tokens')
    ? ' (sessions)'
    : words.includes('"password_hash"')
      ? ' (accounts)'
      : words.includes('utc_offset_minutes')
        ? ' (settings)'
        : words.startsWith('select id, handle')
          ? ' (handles)'
          : words.endsWith(' for update')
            ? ' for update'
            : '';
  return `${verb} ${table ?? ''}${what}`.trim();
}

/**
 * Left out of the lists: BEGIN and COMMIT (PostgreSQL's driver logs them, PGlite's does not);
 * the reads of the coalesced pushes, at most 4 a second per event or board whatever the number
 * of requests (an event's live counts, a board's top handles); and the refresh of the action
 * types' local copy, at most once a second; and trivia's timers (its schedule's tick and the live
 * games gauge), which read only games. The hold sweep's tick is turned off below.
 */
const offTheList = (shaped: string) =>
  ['begin', 'commit', 'select events', 'select users (handles)', 'select action_types', 'select games'].includes(shaped);

const REGISTRATION = [
  'select users (sessions)', // the caller's session (auth guard), cached per user; misses batched
  'select events for update', // the event row, locked
  'select idempotency_keys', // the batch's keys
  'select registrations', // the batch's users already registered
  'insert registrations', // the new entrants
  'insert idempotency_keys', // the keys with their answers
  'insert audit_log', // the batch's audit entry
  'update events', // counters, audit head
  // The activity log's own batch, after commit (registration.created entries):
  // (the entrants' UTC offsets for activity streaks are in their cached sessions, loaded above)
  'insert activities', // the entries
  'insert user_activity_subjects', // distinct subjects, for activityCount achievements
  'insert user_streaks', // activity streaks
  // Notices, after commit: the entrants' accounts (their email), cached per user; misses batched.
  // Their settings (the notification switches) are in their cached sessions too.
  'select users (accounts)',
];

const COMPLETION = [
  'select users (sessions)', // the caller's session (auth guard) and UTC offset, cached per user; misses batched
  'select idempotency_keys', // the batch's keys
  // (actions already recorded are read first only for types that could refuse a replay: windows, limits, events)
  'insert actions', // the new actions; a replay's row is skipped, then read
  'with unnest', // board scores, one upsert per board
  'insert user_action_counts', // achievements' counts
  'insert user_streaks', // achievements' streaks
  'insert activities', // the action.completed entries of the activity log
  'insert idempotency_keys', // the keys (a completion's answer is its action)
  'update actions', // after commit: each action's result with its ranks, for replays
];

describe.each(['pglite', 'postgres'] as const)('hot-path statements on %s', (store) => {
  let app: TestApp;
  let recording = false;
  const log: string[] = [];
  let eventId: string;
  let adminToken: string;
  const actionType = `count-${store}`;
  let signer: Awaited<ReturnType<typeof tokenSigner>>;

  beforeAll(async () => {
    app = await startTestApp({
      store,
      env: { ...ADMIN_ENV, HOLD_SWEEP_INTERVAL_MS: '600000' },
      logQuery: (statement) => recording && log.push(shape(statement)),
    });
    signer = await tokenSigner(TEST_JWT_SECRET);
    const admin = await adminSession(app);
    adminToken = admin.token;
    eventId = (await createEvent(app, admin.token, { capacity: 100 })).id;
    const created = await app.request('POST', '/api/action-types', { token: admin.token, body: { key: actionType, name: 'Count', baseScore: 1 } });
    expect(created.status).toBe(201);
    // Warms the caches a rush finds warm: the event's id, the action type.
    const warm = await signUp(app);
    await app.request('POST', `/api/events/${eventId}/registrations`, { token: warm.token });
    await app.request('POST', '/api/actions/complete', { token: warm.token, body: { actionType, identifier: 'warm' } });
  });
  afterAll(async () => {
    await signer?.close();
    await app?.stop();
  });

  /**
   * The statements `work` causes, the notices' and the activity log's batches included (it commits after the
   * request's own batch, on its own connection, so the order between the two is not fixed:
   * lists are compared sorted).
   */
  async function statementsOf(work: () => Promise<unknown>): Promise<string[]> {
    await app.notifications.idle();
    await app.activity.flush();
    log.length = 0;
    recording = true;
    try {
      await work();
      await app.notifications.idle();
      await app.activity.flush();
    } finally {
      recording = false;
    }
    return log.filter((shaped) => !offTheList(shaped)).sort();
  }
  const sorted = (list: string[]) => [...list].sort();

  const users = (count: number): Promise<Entrant[]> => createUsers(app.platform.database.db, signer.sign, count);

  const ticket = (user: Entrant, key: string): IdempotencyTicket => ({
    scope: `user:${user.id}`,
    key,
    requestHash: `hash-${key}`,
    ttlSeconds: 60,
    render: (outcome) => ({
      status: outcome.status,
      body: JSON.stringify('payload' in outcome ? outcome.payload : outcome.code),
      contentType: 'application/json',
    }),
  });

  it('lists the statements of one keyed registration over HTTP', async () => {
    const [user] = (await users(1)) as [Entrant];
    const statements = await statementsOf(async () => {
      const answer = await app.request('POST', `/api/events/${eventId}/registrations`, { token: user.token, headers: { 'idempotency-key': 'k' } });
      expect(answer.status).toBe(201);
    });
    expect(statements).toEqual(sorted(REGISTRATION));
  });

  it('lists the statements of one keyed action completion over HTTP', async () => {
    const [user] = (await users(1)) as [Entrant];
    const statements = await statementsOf(async () => {
      const answer = await app.request('POST', '/api/actions/complete', {
        token: user.token,
        body: { actionType, identifier: 'a' },
        headers: { 'idempotency-key': 'k' },
      });
      expect(answer.status).toBe(200);
    });
    expect(statements).toEqual(sorted(COMPLETION));
  });

  it('sends the same statements for 25 registrations in one batch as for one', async () => {
    const register = (user: Entrant, key: string) => app.events.register({ id: user.id, isGuest: true }, eventId, undefined, ticket(user, key));
    const [one] = (await users(1)) as [Entrant];
    const many = await users(25);
    const single = await statementsOf(() => register(one, 'single'));
    const batch = await statementsOf(() => Promise.all(many.map((user) => register(user, 'batch'))));
    expect(single.length).toBeGreaterThan(0);
    expect(batch).toEqual(single);
  });

  it('answers repeated waitlisted registrations with their places in line, in the statements of one', async () => {
    const full = (await createEvent(app, adminToken, { capacity: 1 })).id;
    const register = (user: Entrant) => app.events.register({ id: user.id, isGuest: true }, full);
    const entrants = await users(27);
    for (const user of entrants) await register(user);
    const [confirmed, first, ...rest] = entrants as [Entrant, Entrant, ...Entrant[]];
    const placeOf = async (user: Entrant) => {
      const answer = await register(user);
      if ('replay' in answer) throw new Error('no key was sent');
      expect(answer.created).toBe(false);
      return answer.registration.position;
    };
    expect(await placeOf(confirmed)).toBeNull();
    const single = await statementsOf(async () => expect(await placeOf(first)).toBe(1));
    const batch = await statementsOf(async () => {
      // Each waits where it arrived: one behind the other, after the first.
      expect(await Promise.all(rest.map(placeOf))).toEqual(rest.map((_, i) => i + 2));
    });
    expect(single.length).toBeGreaterThan(0);
    expect(batch).toEqual(single);
  });

  it('sends the same statements for 25 completions in one batch as for one', async () => {
    const complete = (user: Entrant, key: string) => app.scoring.actions.complete(user.id, { actionType, identifier: key }, ticket(user, key));
    const [one] = (await users(1)) as [Entrant];
    const many = await users(25);
    const single = await statementsOf(() => complete(one, 'single'));
    const batch = await statementsOf(() => Promise.all(many.map((user) => complete(user, 'batch'))));
    expect(single.length).toBeGreaterThan(0);
    expect(batch).toEqual(single);
  });
});
