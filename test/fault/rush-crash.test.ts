// kill -9 in the middle of a registration rush, then a restart on the same database: every
// registration that got a 2xx answer is still there with the same status and position, nothing
// is oversold, the counters equal the rows, and the rush carries on where it stopped. On
// PostgreSQL, and on the embedded PGlite in the same data dir.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { databaseOptions, openDatabase, type Database } from '../../src/platform/db/client.js';
import { call, crashServers, openFcfsEvent, rushUntilKilled, seedAccounts } from '../harness/crash.js';
import { createDatabase } from '../harness/processes.js';
import { countStatuses, parsed, rush, type RushAnswer } from '../harness/rush.js';

const JWT_SECRET = 'rush-crash-secret-that-is-long-enough-for-hs256';
const ENTRANTS = 2_000;
const CAPACITY = 300;
/** Killed once this many 2xx answers are in: past the capacity, so both statuses are at stake. */
const KILL_AFTER = 600;
const CONNECTIONS = 64;

const rows = async <T>(database: Database, statement: ReturnType<typeof sql>): Promise<T[]> =>
  ((await database.db.execute(statement)) as unknown as { rows: T[] }).rows;

/** The event's counters next to its rows counted by status: they must agree. */
async function tally(database: Database, eventId: string) {
  const [{ capacity, ...counters }] = (await rows<Record<string, number>>(
    database,
    sql`select capacity, confirmed, held, waitlisted, entered from events where id = ${eventId}`,
  )) as [Record<string, number>];
  const byStatus = await rows<{ status: string; n: number }>(
    database,
    sql`select status, count(*)::int as n from registrations where event_id = ${eventId} group by status`,
  );
  const count = (status: string) => byStatus.find((row) => row.status === status)?.n ?? 0;
  const counted = { confirmed: count('confirmed'), held: count('held'), waitlisted: count('waitlisted'), entered: count('entered') };
  const statuses = new Map(
    (await rows<{ id: string; status: string }>(database, sql`select id, status from registrations where event_id = ${eventId}`)).map((row) => [
      row.id,
      row.status,
    ]),
  );
  return { capacity: capacity!, counters, counted, statuses };
}

describe.each(['postgres', 'pglite'] as const)('kill -9 during a rush on %s', (store) => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'stampede-crash-'));
  const startServer = crashServers(JWT_SECRET);
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('keeps every answered registration and never oversells', async () => {
    const databaseUrl = store === 'postgres' ? await createDatabase(inject('postgresUrl')) : '';
    const env = { STAMPEDE_DATA_DIR: dataDir, DATABASE_URL: databaseUrl };
    const open = () =>
      openDatabase(
        databaseOptions({ databaseUrl: databaseUrl || undefined, dataDir, db: { max: 2, idleTimeoutMs: 1_000, connectTimeoutMs: 5_000 } }),
      );

    const { organizer, users: entrants } = await seedAccounts(await open(), JWT_SECRET, ENTRANTS);
    let server = await startServer(env);
    const eventId = await openFcfsEvent(server.url, organizer.token, { slug: 'crash', title: 'Crash rush', capacity: CAPACITY });
    const register = (i: number) => ({ path: `/api/events/${eventId}/registrations`, token: entrants[i]!.token, body: {} });

    // The rush, until KILL_AFTER answers are in; then SIGKILL, whatever is in flight.
    const answers = await rushUntilKilled(
      server,
      entrants.map((_, i) => register(i)),
      { connections: CONNECTIONS, killAfter: KILL_AFTER, counts: (answer) => answer.status >= 200 && answer.status < 300 },
    );
    const answered = new Map<number, RushAnswer>();
    answers.forEach((answer, i) => {
      if (answer.status >= 200 && answer.status < 300) answered.set(i, answer);
    });
    const statuses = countStatuses(answers);
    // Nothing but successes before the kill, and failures to connect after it.
    expect(Object.keys(statuses).sort()).toEqual(['201', 'no answer']);
    expect(answered.size).toBeGreaterThanOrEqual(KILL_AFTER);
    expect(answered.size).toBeLessThan(ENTRANTS);
    // Straight after the crash, before any restart: the record has every answered registration.
    let database = await open();
    try {
      const { capacity, counters, counted, statuses: stored } = await tally(database, eventId);
      expect(counters.confirmed! + counters.held!).toBeLessThanOrEqual(capacity);
      expect(counters).toEqual(counted);
      const missing = [...answered.values()]
        .map((answer) => parsed(answer).registration)
        .filter((registration) => stored.get(registration.id) !== registration.status);
      expect(missing).toEqual([]);
      // eslint-disable-next-line no-console -- what the kill interrupted, for the CI log
      console.log(`${store}: killed after ${answered.size} 2xx answers; ${stored.size} registrations committed`, statuses);
    } finally {
      await database.close();
    }

    server = await startServer(env);

    // Every 2xx is still there: same registration, same status, same position.
    const survivors = await rush(
      [...answered.keys()].map((i) => ({ ...register(i), method: 'GET' as const, path: `/api/events/${eventId}/registrations/me`, body: undefined })),
      { baseUrls: [server.url], connections: CONNECTIONS },
    );
    const lost = [...answered.entries()].flatMap(([i, answer], n) => {
      const before = parsed(answer).registration;
      const after = survivors[n]!.status === 200 ? parsed(survivors[n]!).registration : undefined;
      return after && after.id === before.id && after.status === before.status && after.position === before.position
        ? []
        : [`entrant ${i}: answered ${JSON.stringify(before)}, now ${survivors[n]!.status} ${survivors[n]!.body}`];
    });
    expect(lost).toEqual([]);

    // The rush carries on: the rest register, the interrupted ones retry.
    const rest = await rush(
      entrants.flatMap((_, i) => (answered.has(i) ? [] : [register(i)])),
      { baseUrls: [server.url], connections: CONNECTIONS },
    );
    expect(rest.filter((answer) => answer.status !== 201 && answer.status !== 200).map((a) => `${a.status} ${a.error ?? a.body}`)).toEqual([]);
    const { body } = await call(server.url, 'GET', `/api/events/${eventId}`, organizer.token);
    expect(body.event.counts).toMatchObject({ confirmed: CAPACITY, held: 0, available: 0, waitlisted: ENTRANTS - CAPACITY });
    const positions = [...answered.values(), ...rest]
      .map((answer) => parsed(answer).registration)
      .filter((registration) => registration.status === 'waitlisted')
      .map((registration) => registration.position as number)
      .sort((a, b) => a - b);
    expect(positions).toEqual(Array.from({ length: ENTRANTS - CAPACITY }, (_, i) => i + 1));

    // The record at the end: counters equal the rows (PGlite is read once the server has let go).
    server.child.kill('SIGTERM');
    await server.exited;
    database = await open();
    try {
      const { capacity, counters, counted } = await tally(database, eventId);
      expect(capacity).toBe(CAPACITY);
      expect(counters).toEqual({ confirmed: CAPACITY, held: 0, waitlisted: ENTRANTS - CAPACITY, entered: 0 });
      expect(counted).toEqual(counters);
    } finally {
      await database.close();
    }
  }, 180_000);
});
