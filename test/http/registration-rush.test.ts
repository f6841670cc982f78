// The rush of issue 3: 10,000 distinct entrants at once for 700 spots of a free FCFS event, on
// PGlite and on PostgreSQL + Redis with two instances sharing the database. Checked from the
// answers, from the API and from SQL: exactly the capacity confirmed, the rest waitlisted at
// positions 1..n in server arrival order, duplicates create nothing, counters equal the rows.
import { sql, type SQL } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../harness/app.js';
import { createEntrants, type Entrant } from '../harness/entrants.js';
import { countStatuses, parsed, rush, type RushAnswer, type RushRequest } from '../harness/rush.js';

const ENTRANTS = 10_000;
const CAPACITY = 700;
/** Wave 2 starts once every wave-1 entrant has its answer: all of it arrived later. */
const WAVE_1 = 5_000;
const CONNECTIONS = 256;
/** Of the 1,000 duplicates: sent alongside the original, retried afterwards, replayed by key. */
const CONCURRENT_DUPLICATES = 300;
const RETRIES = 350;
const KEYED_RETRIES = 350;
const RUSH_TIMEOUT_MS = 180_000;

interface Registration {
  id: string;
  eventId: string;
  userId: string;
  status: string;
  position: number | null;
  seq: number;
}

const registrationOf = (answer: RushAnswer): Registration => parsed(answer)?.registration;

function log(label: string, answers: RushAnswer[], startedAt: number) {
  const elapsed = performance.now() - startedAt;
  // eslint-disable-next-line no-console -- timing figures for the CI log, not assertions
  console.log(
    `${label}: ${answers.length} answers in ${Math.round(elapsed)} ms (${Math.round((answers.length / elapsed) * 1000)}/s)`,
    countStatuses(answers),
  );
}

describe.each([
  { backend: 'PGlite', store: 'pglite' as const, redis: false, instances: 1 },
  { backend: 'PostgreSQL + Redis, two instances', store: 'postgres' as const, redis: true, instances: 2 },
])('registration rush on $backend', ({ store, redis, instances }) => {
  const apps: TestApp[] = [];
  let entrants: Entrant[];
  let organizer: Entrant;
  let eventId: string;
  const keyOf = (i: number) => `rush-entrant-${i}`;
  /** Entrant index -> its first answer (the one that created or found the registration). */
  const first: RushAnswer[] = [];
  const concurrentTwins: Array<{ index: number; answer: RushAnswer }> = [];

  beforeAll(async () => {
    const primary = await startTestApp({ store, redis });
    apps.push(primary);
    for (let i = 1; i < instances; i++) {
      const { databaseUrl, redisUrl, redisKeyPrefix } = primary.platform.config;
      apps.push(await startTestApp({ databaseUrl, redisUrl, redisKeyPrefix }));
    }
    organizer = (await createEntrants(primary, 1, 'organizer'))[0]!;
    entrants = await createEntrants(primary, ENTRANTS);
    const created = await primary.request('POST', '/api/events', {
      token: organizer.token,
      body: { slug: `rush-${store}`, title: 'Regional qualifier', capacity: CAPACITY, mode: 'fcfs' },
    });
    expect(created.status).toBe(201);
    const { event } = await created.json();
    eventId = event.id;
    if (event.status !== 'open') expect((await primary.request('POST', `/api/events/${eventId}/open`, { token: organizer.token })).status).toBe(200);
  }, 120_000);
  afterAll(async () => {
    for (const app of apps.reverse()) await app.stop();
  });

  const baseUrls = () => apps.map((app) => app.url);
  const register = (index: number, headers?: Record<string, string>): RushRequest => ({
    path: `/api/events/${eventId}/registrations`,
    token: entrants[index]!.token,
    body: {},
    headers,
  });
  const query = async <T>(statement: SQL): Promise<T[]> =>
    ((await apps[0]!.platform.database.db.execute(statement)) as unknown as { rows: T[] }).rows;

  it(
    'answers 10,000 entrants: 700 confirmed, the rest waitlisted at 1..9,300 in arrival order',
    async () => {
      const indexes = Array.from({ length: ENTRANTS }, (_, i) => i);
      const wave1 = indexes.slice(0, WAVE_1);
      const wave2 = indexes.slice(WAVE_1);
      // Some entrants press twice: their second request goes out right behind the first.
      const twins = new Set(wave2.filter((_, n) => n % Math.floor(wave2.length / CONCURRENT_DUPLICATES) === 0).slice(0, CONCURRENT_DUPLICATES));

      let startedAt = performance.now();
      const wave1Answers = await rush(
        wave1.map((i) => register(i, i < KEYED_RETRIES ? { 'idempotency-key': keyOf(i) } : undefined)),
        { baseUrls: baseUrls(), connections: CONNECTIONS, timeoutMs: RUSH_TIMEOUT_MS },
      );
      log('wave 1', wave1Answers, startedAt);
      wave1Answers.forEach((answer, n) => (first[wave1[n]!] = answer));

      const wave2Requests = wave2.flatMap((i) =>
        twins.has(i)
          ? [
              { index: i, request: register(i) },
              { index: i, request: register(i) },
            ]
          : [{ index: i, request: register(i) }],
      );
      startedAt = performance.now();
      const wave2Answers = await rush(
        wave2Requests.map(({ request }) => request),
        { baseUrls: baseUrls(), connections: CONNECTIONS, timeoutMs: RUSH_TIMEOUT_MS },
      );
      log('wave 2', wave2Answers, startedAt);
      wave2Answers.forEach((answer, n) => {
        const { index } = wave2Requests[n]!;
        // Of a pair, the creating answer (201) is the entrant's first; the other is its twin.
        if (first[index] === undefined || (answer.status === 201 && first[index]!.status !== 201)) {
          if (first[index]) concurrentTwins.push({ index, answer: first[index]! });
          first[index] = answer;
        } else concurrentTwins.push({ index, answer });
      });

      const all = [...wave1Answers, ...wave2Answers];
      expect(all.filter((answer) => answer.status === 0 || answer.status >= 500).map((a) => `${a.status} ${a.error ?? a.body}`)).toEqual([]);
      // Every entrant's first answer created its registration; the twins found it.
      expect(countStatuses(first)).toEqual({ '201': ENTRANTS });
      expect(concurrentTwins).toHaveLength(CONCURRENT_DUPLICATES);

      const registrations = first.map(registrationOf);
      registrations.forEach((registration, i) => {
        expect(registration.userId).toBe(entrants[i]!.id);
        expect(registration.eventId).toBe(eventId);
      });
      expect(new Set(registrations.map((r) => r.id)).size).toBe(ENTRANTS);
      const confirmed = registrations.filter((r) => r.status === 'confirmed');
      const waitlisted = registrations.filter((r) => r.status === 'waitlisted');
      expect(confirmed).toHaveLength(CAPACITY);
      expect(waitlisted).toHaveLength(ENTRANTS - CAPACITY);

      // Positions are exactly 1..9,300 and follow the server's arrival sequence.
      const bySeq = [...waitlisted].sort((a, b) => a.seq - b.seq);
      expect(bySeq.map((r) => r.position)).toEqual(Array.from({ length: ENTRANTS - CAPACITY }, (_, i) => i + 1));
      expect(Math.max(...confirmed.map((r) => r.seq))).toBeLessThan(Math.min(...waitlisted.map((r) => r.seq)));
      expect(new Set(registrations.map((r) => r.seq)).size).toBe(ENTRANTS);

      // Everyone in wave 2 arrived after every wave-1 answer, so queues behind all of wave 1.
      const positions = (wave: number[]) =>
        wave
          .map((i) => registrations[i]!)
          .filter((r) => r.status === 'waitlisted')
          .map((r) => r.position!);
      expect(Math.min(...positions(wave2))).toBeGreaterThan(Math.max(...positions(wave1)));
      expect(wave2.every((i) => registrations[i]!.status === 'waitlisted')).toBe(true);

      // A twin got the same registration, never a second one.
      for (const { index, answer } of concurrentTwins) {
        expect(answer.status).toBe(200);
        expect(registrationOf(answer)).toMatchObject({
          id: registrations[index]!.id,
          status: registrations[index]!.status,
          position: registrations[index]!.position,
        });
      }
    },
    RUSH_TIMEOUT_MS,
  );

  it(
    'creates nothing for retries by the same entrant or with the same Idempotency-Key',
    async () => {
      expect(first).toHaveLength(ENTRANTS);
      const retried = Array.from({ length: RETRIES }, (_, n) => WAVE_1 + n * 7);
      const keyed = Array.from({ length: KEYED_RETRIES }, (_, i) => i);
      const requests = [...retried.map((i) => register(i)), ...keyed.map((i) => register(i, { 'idempotency-key': keyOf(i) }))];
      const answers = await rush(requests, { baseUrls: baseUrls(), connections: CONNECTIONS, timeoutMs: RUSH_TIMEOUT_MS });

      answers.slice(0, RETRIES).forEach((answer, n) => {
        expect(answer.status).toBe(200);
        expect(registrationOf(answer)).toMatchObject({
          id: registrationOf(first[retried[n]!]!).id,
          status: 'waitlisted',
          position: registrationOf(first[retried[n]!]!).position,
        });
      });
      answers.slice(RETRIES).forEach((answer, n) => {
        // The stored answer, byte for byte, marked as a replay.
        expect(answer.status).toBe(201);
        expect(answer.headers['idempotent-replayed']).toBe('true');
        expect(answer.body).toBe(first[keyed[n]!]!.body);
      });

      const counts = await query<{ total: number; users: number }>(
        sql`select count(*)::int as total, count(distinct user_id)::int as users from registrations where event_id = ${eventId}`,
      );
      expect(counts).toEqual([{ total: ENTRANTS, users: ENTRANTS }]);
    },
    RUSH_TIMEOUT_MS,
  );

  it('leaves counters equal to the rows and the waitlist in arrival order, in the API and in SQL', async () => {
    const response = await apps[apps.length - 1]!.request('GET', `/api/events/${eventId}`);
    expect(response.status).toBe(200);
    const { event } = await response.json();
    expect(event.counts).toMatchObject({
      capacity: CAPACITY,
      confirmed: CAPACITY,
      held: 0,
      available: 0,
      waitlisted: ENTRANTS - CAPACITY,
      entered: 0,
    });

    const byStatus = await query<{ status: string; n: number }>(
      sql`select status, count(*)::int as n from registrations where event_id = ${eventId} group by status order by status`,
    );
    expect(byStatus).toEqual([
      { status: 'confirmed', n: CAPACITY },
      { status: 'waitlisted', n: ENTRANTS - CAPACITY },
    ]);
    const [row] = await query<Record<string, number>>(
      sql`select confirmed, held, waitlisted, entered, arrivals::int as arrivals from events where id = ${eventId}`,
    );
    expect(row).toEqual({ confirmed: CAPACITY, held: 0, waitlisted: ENTRANTS - CAPACITY, entered: 0, arrivals: ENTRANTS });

    // The waitlist's queue order is the arrival order, and the answered positions match it.
    const waitlist = await query<{ id: string; position: number; arrival: number }>(sql`
      select id, (row_number() over (order by priority desc, queue_pos))::int as position,
             (row_number() over (order by seq))::int as arrival
      from registrations where event_id = ${eventId} and status = 'waitlisted'`);
    expect(waitlist.filter((r) => r.position !== r.arrival)).toEqual([]);
    const answered = new Map(first.map((answer) => registrationOf(answer)).map((r) => [r.id, r.position]));
    expect(waitlist.filter((r) => answered.get(r.id) !== r.position)).toEqual([]);
  });
});
