// Verifiable allocation: the lottery draw, the pre-queue shuffle and the hash-chained audit log,
// on the embedded PGlite and on PostgreSQL + Redis.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitmentOf, drawOrder, shuffleOrder, verifyProof } from '../../src/features/events/lottery.js';
import { startTestApp, type TestApp } from '../harness/app.js';
import { waitFor } from '../harness/processes.js';
import { ADMIN_ENV, countersMatchRows, createEvent, isoIn, organizer, players, query, register } from './events-fixtures.js';

describe.each([
  ['pglite', false],
  ['postgres', true],
] as const)('lottery, pre-queue and audit on %s', (store, redis) => {
  let app: TestApp;
  let org: Awaited<ReturnType<typeof organizer>>;
  beforeAll(async () => {
    app = await startTestApp({ store, redis, env: { ...ADMIN_ENV, HOLD_SWEEP_INTERVAL_MS: '100' } });
    org = await organizer(app);
  });
  afterAll(() => app?.stop());

  const get = async (path: string, token?: string) => {
    const response = await app.request('GET', path, { token });
    return { status: response.status, body: await response.json() };
  };

  it('commits to a seed at creation, draws by weight, and publishes a proof that verifies', async () => {
    const event = await createEvent(app, org.token, { mode: 'lottery', capacity: 3, priorityGroups: { local: 4 } });
    const lottery = await get(`/api/events/${event.id}/lottery`);
    expect(lottery.body).toMatchObject({ drawn: false, algorithm: 'efraimidis-spirakis/hmac-sha256/v1' });
    expect(lottery.body.commitment).toMatch(/^[0-9a-f]{64}$/);
    expect(event.lotteryCommitment).toBe(lottery.body.commitment);
    expect((await get(`/api/events/${event.id}/lottery/proof`)).status).toBe(409);
    // Until the draw the seed is sealed in the row: a copy of the database does not reveal it.
    const [stored] = await query<{ lottery_seed: string }>(app, sql`select lottery_seed from events where id = ${event.id}`);
    expect(stored!.lottery_seed).toMatch(/^sealed:v1:/);

    const entrants = await players(app, 8);
    await app.request('PUT', `/api/events/${event.id}/priority`, { token: org.token, body: { userId: entrants[0]!.user.id, group: 'local' } });
    const registrations: Array<{ id: string }> = [];
    for (const entrant of entrants) {
      const { status, body } = await register(app, event.id, entrant.token);
      expect(status).toBe(201);
      expect(body.registration.status).toBe('entered');
      registrations.push(body.registration);
    }
    expect((await get(`/api/events/${event.id}`)).body.event.counts).toMatchObject({ entered: 8, confirmed: 0 });

    const drawn = await app.request('POST', `/api/events/${event.id}/draw`, { token: org.token });
    expect(drawn.status).toBe(200);
    const { event: after, proof } = await drawn.json();
    expect(after.status).toBe('drawn');
    expect(after.counts).toMatchObject({ confirmed: 3, waitlisted: 5, entered: 0 });
    expect(verifyProof(proof)).toEqual({ ok: true });
    expect(commitmentOf(proof.seed)).toBe(lottery.body.commitment);
    expect(proof.entrants).toHaveLength(8);
    expect(proof.entrants.find((e: { id: string }) => e.id === registrations[0]!.id).weight).toBe(4);
    expect(proof.order).toEqual(drawOrder(proof.seed, proof.entrants));
    expect(stored!.lottery_seed).not.toContain(proof.seed);
    expect((await get(`/api/events/${event.id}/lottery/proof`)).body).toEqual(proof);

    // The top `capacity` of the order are in, the rest wait in draw order.
    const list = (await get(`/api/events/${event.id}/registrations?limit=100`, org.token)).body.registrations as Array<{
      id: string;
      status: string;
      drawRank: number;
      position: number | null;
    }>;
    const byId = new Map(list.map((r) => [r.id, r]));
    proof.order.forEach((id: string, index: number) => {
      expect(byId.get(id)).toMatchObject(
        index < 3 ? { status: 'confirmed', drawRank: index + 1 } : { status: 'waitlisted', drawRank: index + 1, position: index - 2 },
      );
    });

    // Tampering with anything the proof covers makes it fail.
    expect(verifyProof({ ...proof, seed: proof.seed.replace(/^./, (c: string) => (c === '0' ? '1' : '0')) }).ok).toBe(false);
    expect(
      verifyProof({
        ...proof,
        entrants: proof.entrants.map((e: { id: string; weight: number }, i: number) => (i === 0 ? { ...e, weight: e.weight + 1 } : e)),
      }).ok,
    ).toBe(false);
    expect((await app.request('POST', `/api/events/${event.id}/draw`, { token: org.token })).status).toBe(409);
    const late = await register(app, event.id, (await players(app, 1))[0]!.token);
    expect(late.body.code).toBe('REGISTRATION_CLOSED');

    // A cancelled winner's spot goes to the first in draw order.
    const winner = entrants[registrations.findIndex((r) => r.id === proof.order[0])]!;
    await app.request('DELETE', `/api/events/${event.id}/registrations/me`, { token: winner.token });
    const next = list.find((r) => r.id === proof.order[3])!;
    expect((await app.request('GET', `/api/events/${event.id}/registrations`, { token: org.token })).status).toBe(200);
    const [row] = await query<{ status: string }>(app, sql`select status from registrations where id = ${next.id}`);
    expect(row!.status).toBe('confirmed');
    await countersMatchRows(app, event.id);
  });

  it('releases the entrants not drawn when the waitlist is off, and draws by itself at closesAt', async () => {
    const event = await createEvent(app, org.token, { mode: 'lottery', capacity: 1, waitlist: false, closesAt: isoIn(3_600_000) });
    const entrants = await players(app, 3);
    for (const entrant of entrants) await register(app, event.id, entrant.token);
    await query(app, sql`update events set closes_at = now() - interval '1 millisecond' where id = ${event.id}`);
    await waitFor(async () => (await get(`/api/events/${event.id}`)).body.event.status === 'drawn', 10_000, 'the scheduled draw');
    const counts = (await get(`/api/events/${event.id}`)).body.event.counts;
    expect(counts).toMatchObject({ confirmed: 1, waitlisted: 0, entered: 0 });
    const rows = await query<{ status: string; status_reason: string | null }>(
      app,
      sql`select status, status_reason from registrations where event_id = ${event.id} order by draw_rank`,
    );
    expect(rows).toEqual([
      { status: 'confirmed', status_reason: null },
      { status: 'cancelled', status_reason: 'not_selected' },
      { status: 'cancelled', status_reason: 'not_selected' },
    ]);
    expect(verifyProof((await get(`/api/events/${event.id}/lottery/proof`)).body)).toEqual({ ok: true });
  });

  it('queues pre-queue entrants before opening and serves them in the order the published seed gives', async () => {
    const event = await createEvent(app, org.token, { capacity: 3, preQueue: true, opensAt: isoIn(3_600_000) });
    expect(event.status).toBe('scheduled');
    const info = await get(`/api/events/${event.id}/pre-queue`);
    expect(info.body).toMatchObject({ shuffled: false, algorithm: 'hmac-sha256-shuffle/v1', commitment: event.preQueueCommitment });
    expect((await get(`/api/events/${event.id}/pre-queue/proof`)).status).toBe(409);

    const early = await players(app, 6);
    const entered = new Map<string, string>();
    for (const entrant of early) {
      const { body } = await register(app, event.id, entrant.token);
      expect(body.registration.status).toBe('entered');
      entered.set(body.registration.id, entrant.token);
    }
    // The opening time passes: the next registration opens the event, after the pre-queue.
    await query(app, sql`update events set opens_at = now() - interval '1 millisecond' where id = ${event.id}`);
    const [late] = await players(app, 1);
    const lateAnswer = await register(app, event.id, late!.token);
    expect(lateAnswer.body.registration).toMatchObject({ status: 'waitlisted', position: 4 });

    const proof = (await get(`/api/events/${event.id}/pre-queue/proof`)).body;
    expect(verifyProof(proof)).toEqual({ ok: true });
    expect(commitmentOf(proof.seed)).toBe(event.preQueueCommitment);
    expect([...proof.order].sort()).toEqual([...entered.keys()].sort());
    expect(proof.order).toEqual(shuffleOrder(proof.seed, [...entered.keys()]));
    for (const [index, id] of proof.order.entries()) {
      const mine = (await get(`/api/events/${event.id}/registrations/me`, entered.get(id))).body.registration;
      expect(mine.id).toBe(id);
      expect(mine).toMatchObject(index < 3 ? { status: 'confirmed' } : { status: 'waitlisted', position: index - 2 });
    }
    const audit = (await get(`/api/events/${event.id}/audit`, org.token)).body.entries as Array<{ type: string; data: Record<string, unknown> }>;
    const shuffle = audit.find((entry) => entry.type === 'pre_queue.shuffled')!;
    expect(shuffle.data).toMatchObject({ seed: proof.seed, entrants: 6, entrantsHash: proof.entrantsHash });
    await countersMatchRows(app, event.id);
  });

  it('chains every change in the audit log, verifies it, and detects an edited entry', async () => {
    const event = await createEvent(app, org.token, { capacity: 1 });
    const [a, b] = await players(app, 2);
    await register(app, event.id, a!.token);
    await register(app, event.id, b!.token);
    await app.request('DELETE', `/api/events/${event.id}/registrations/me`, { token: a!.token });
    await app.request('POST', `/api/events/${event.id}/close`, { token: org.token });

    const { head, entries } = (await get(`/api/events/${event.id}/audit`, org.token)).body;
    expect(entries.map((e: { type: string; data: { reason?: string } }) => `${e.type}${e.data.reason ? `:${e.data.reason}` : ''}`)).toEqual([
      'event.created',
      'event.opened',
      'registration:registered',
      'registration:registered',
      'registration:cancelled',
      'registration:promoted',
      'event.closed',
    ]);
    expect(head).toEqual({ seq: 7, hash: entries[6].hash });
    entries.forEach((entry: { seq: number; prevHash: string }, index: number) => {
      expect(entry.seq).toBe(index + 1);
      expect(entry.prevHash).toBe(index === 0 ? '0'.repeat(64) : entries[index - 1].hash);
    });
    expect((await get(`/api/events/${event.id}/audit?afterSeq=5`, org.token)).body.entries).toHaveLength(2);
    expect((await get(`/api/events/${event.id}/audit/verify`)).body).toEqual({ ok: true, entries: 7 });

    await query(app, sql`update audit_log set data = jsonb_set(data, '{to}', '"confirmed"') where event_id = ${event.id} and seq = 4`);
    const tampered = (await get(`/api/events/${event.id}/audit/verify`)).body;
    expect(tampered).toMatchObject({ ok: false, entries: 7, brokenAt: 4 });
    await query(app, sql`delete from audit_log where event_id = ${event.id} and seq = 7`);
    expect((await get(`/api/events/${event.id}/audit/verify`)).body.ok).toBe(false);
    expect((await get('/api/events/no-such-event/audit/verify')).status).toBe(404);
    expect((await get(`/api/events/${event.id}/audit`, a!.token)).status).toBe(403);
  });
});
