// kill -9 in the middle of a keyed registration rush, then every client retries with its own
// Idempotency-Key on a restarted server. The key's answer commits with the registration, so a
// registration the crash left unanswered is replayed as it was made, never made twice, and no
// committed registration lacks its key. On PostgreSQL, and on the embedded PGlite.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { databaseOptions, openDatabase } from '../../src/platform/db/client.js';
import { rows } from '../../src/platform/db/rows.js';
import { crashServers, openFcfsEvent, rushUntilKilled, seedAccounts } from '../harness/crash.js';
import { createDatabase } from '../harness/processes.js';
import { parsed, rush, type RushAnswer } from '../harness/rush.js';

const JWT_SECRET = 'idempotency-crash-secret-long-enough-for-hs256';
const ENTRANTS = 1_500;
const CAPACITY = 200;
/** Killed once this many answers are in, with the connections' requests in flight. */
const KILL_AFTER = 400;
const CONNECTIONS = 64;

describe.each(['postgres', 'pglite'] as const)('kill -9 during a keyed rush on %s', (store) => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'stampede-idem-crash-'));
  const startServer = crashServers(JWT_SECRET);
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('replays every committed registration under its key, answered or not', async () => {
    const databaseUrl = store === 'postgres' ? await createDatabase(inject('postgresUrl')) : '';
    const env = { STAMPEDE_DATA_DIR: dataDir, DATABASE_URL: databaseUrl };
    const open = () => openDatabase(databaseOptions({ databaseUrl: databaseUrl || undefined, dataDir, db: { max: 2 } }));

    const { organizer, users: entrants } = await seedAccounts(await open(), JWT_SECRET, ENTRANTS);
    let server = await startServer(env);
    const eventId = await openFcfsEvent(server.url, organizer.token, { slug: 'keyed-crash', title: 'Keyed crash', capacity: CAPACITY });
    const register = (i: number) => ({
      path: `/api/events/${eventId}/registrations`,
      token: entrants[i]!.token,
      headers: { 'idempotency-key': `entrant-${i}` },
      body: {},
    });

    const first = await rushUntilKilled(
      server,
      entrants.map((_, i) => register(i)),
      { connections: CONNECTIONS, killAfter: KILL_AFTER, counts: (answer) => answer.status !== 0 },
    );

    // Straight after the crash: every committed registration has its key and its stored 201.
    const database = await open();
    let committed: Map<string, string>;
    try {
      const registered = await rows(
        database.db,
        sql`select r.id, r.user_id, k.response_status, k.response_body from registrations r
            left join idempotency_keys k on k.scope = 'user:' || r.user_id::text
            where r.event_id = ${eventId}`,
      );
      expect(registered.filter((row) => row.response_status !== 201 || !String(row.response_body).includes(String(row.id)))).toEqual([]);
      committed = new Map(registered.map((row) => [String(row.user_id), String(row.id)]));
    } finally {
      await database.close();
    }
    const unansweredButCommitted = first.flatMap((answer, i) => (answer.status === 0 && committed.has(entrants[i]!.id) ? [i] : []));
    // eslint-disable-next-line no-console -- what the kill interrupted, for the CI log
    console.log(`${store}: ${committed.size} committed, ${unansweredButCommitted.length} of them unanswered when killed`);

    server = await startServer(env);
    const retries = await rush(
      entrants.map((_, i) => register(i)),
      { baseUrls: [server.url], connections: CONNECTIONS },
    );
    const wrong = retries.flatMap((retry: RushAnswer, i) => {
      const before = first[i]!;
      const registrationId = committed.get(entrants[i]!.id);
      const replayed = retry.headers['idempotent-replayed'] === 'true';
      // Committed before the crash: the stored answer, whether or not the client got it.
      if (registrationId !== undefined) {
        const ok =
          replayed && retry.status === 201 && parsed(retry).registration.id === registrationId && (before.status === 0 || retry.body === before.body);
        return ok ? [] : [`entrant ${i}: committed ${registrationId}, retry ${retry.status} replayed=${replayed} ${retry.body}`];
      }
      // Not committed: the key is free, and the retry registers now.
      return !replayed && retry.status === 201 ? [] : [`entrant ${i}: not committed, retry ${retry.status} replayed=${replayed}`];
    });
    expect(wrong).toEqual([]);
    expect(first.filter((answer) => answer.status !== 0 && answer.status !== 201)).toEqual([]);
  }, 180_000);
});
