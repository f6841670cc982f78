// `stampede backup` / `stampede restore` on both backends. On PostgreSQL the backup is taken in
// the middle of a rush and restored into a fresh database: every event's audit chain verifies
// there, and each event's counts equal its rows. On PGlite the data dir of a stopped server is
// dumped and restored into a new data dir.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openDatabase, type Database } from '../../src/platform/db/client.js';
import { runMigrations } from '../../src/platform/db/migrate.js';
import { startTestApp, TEST_JWT_SECRET, type TestApp } from '../harness/app.js';
import { createEntrants, createUsers, tokenSigner, type Entrant } from '../harness/entrants.js';
import { createDatabase } from '../harness/processes.js';
import { MAIN } from '../harness/stampede-process.js';

const run = promisify(execFile);
const ENTRANTS = 400;
const CAPACITY = 150;

function stampede(args: string[], env: Record<string, string>) {
  const { DATABASE_URL: _d, REDIS_URL: _r, ...inherited } = process.env;
  return run(process.execPath, ['--import', 'tsx', MAIN, ...args], { env: { ...inherited, LOG_LEVEL: 'warn', ...env } });
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'stampede-backup-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every event's audit chain verifies and its counts are its rows. */
async function expectConsistent(app: TestApp, organizer: Entrant, eventIds: string[]) {
  for (const eventId of eventIds) {
    const verified = await app.request('GET', `/api/events/${eventId}/audit/verify`, { token: organizer.token });
    expect(await verified.json()).toMatchObject({ ok: true });
    const { rows } = (await app.platform.database.db.execute(
      sql`select count(*) filter (where status = 'confirmed')::int as confirmed, count(*) filter (where status = 'waitlisted')::int as waitlisted,
            count(*) filter (where status = 'held')::int as held
          from registrations where event_id = ${eventId}`,
    )) as unknown as { rows: Array<{ confirmed: number; waitlisted: number; held: number }> };
    const event = await (await app.request('GET', `/api/events/${eventId}`, { token: organizer.token })).json();
    expect(event.event.counts).toMatchObject(rows[0]!);
  }
}

describe('backup and restore on PostgreSQL', () => {
  let database: Database;
  let app: TestApp;
  let organizer: Entrant;
  let entrants: Entrant[];

  beforeAll(async () => {
    const databaseUrl = await createDatabase(inject('postgresUrl'));
    database = await openDatabase({ url: databaseUrl, pool: { max: 2 } });
    await runMigrations(database);
    const signer = await tokenSigner(TEST_JWT_SECRET);
    [organizer] = (await createUsers(database.db, signer.sign, 1, 'organizer')) as [Entrant];
    entrants = await createUsers(database.db, signer.sign, ENTRANTS);
    await signer.close();
    app = await startTestApp({ databaseUrl });
  }, 60_000);
  afterAll(async () => {
    await app?.stop();
    await database?.close();
  });

  it('takes a consistent backup during a rush, which restores into a fresh database', async () => {
    const created = await app.request('POST', '/api/events', {
      token: organizer.token,
      body: { slug: 'backup', title: 'Backup', capacity: CAPACITY, mode: 'fcfs' },
    });
    expect(created.status).toBe(201);
    const eventId: string = (await created.json()).event.id;
    const file = path.join(dir, 'rush.dump');
    let answered = 0;
    let backupTaken: Promise<unknown> | undefined;
    let next = 0;
    const client = async () => {
      while (next < ENTRANTS) {
        const entrant = entrants[next++]!;
        const response = await app.request('POST', `/api/events/${eventId}/registrations`, { token: entrant.token, body: {} });
        expect([200, 201]).toContain(response.status);
        // Mid-rush, by progress: the backup runs while the other clients keep registering.
        if (++answered === ENTRANTS / 4) backupTaken = stampede(['backup', file], { DATABASE_URL: app.platform.config.databaseUrl! });
      }
    };
    await Promise.all(Array.from({ length: 20 }, client));
    await backupTaken;

    const restoredUrl = await createDatabase(inject('postgresUrl'));
    await stampede(['restore', file], { DATABASE_URL: restoredUrl });
    const restored = await startTestApp({ databaseUrl: restoredUrl });
    try {
      const { rows } = (await restored.platform.database.db.execute(sql`select count(*)::int as n from registrations`)) as unknown as {
        rows: Array<{ n: number }>;
      };
      // Started once a quarter had registered; the snapshot holds at least those.
      expect(rows[0]!.n).toBeGreaterThanOrEqual(ENTRANTS / 4);
      await expectConsistent(restored, organizer, [eventId]);
    } finally {
      await restored.stop();
    }
  }, 120_000);

  it('refuses to restore into a database that is not empty', async () => {
    const file = path.join(dir, 'whole.dump');
    await stampede(['backup', file], { DATABASE_URL: app.platform.config.databaseUrl! });
    await expect(stampede(['restore', file], { DATABASE_URL: app.platform.config.databaseUrl! })).rejects.toMatchObject({
      stderr: expect.stringMatching(/^stampede: pg_restore failed: .*already exists/s),
    });
  }, 60_000);
});

describe('backup and restore on PGlite', () => {
  it('dumps the data dir of a stopped server and restores it into a new one', async () => {
    const dataDir = path.join(dir, 'pglite-data');
    const app = await startTestApp({ env: { STAMPEDE_DATA_DIR: dataDir } });
    const [organizer] = (await createEntrants(app, 1, 'organizer')) as [Entrant];
    const players = await createEntrants(app, 30);
    const created = await app.request('POST', '/api/events', {
      token: organizer.token,
      body: { slug: 'pglite', title: 'PGlite', capacity: 10, mode: 'fcfs' },
    });
    const eventId: string = (await created.json()).event.id;
    for (const player of players)
      expect((await app.request('POST', `/api/events/${eventId}/registrations`, { token: player.token, body: {} })).status).toBe(201);
    await app.stop();

    const file = path.join(dir, 'pglite.tar.gz');
    await stampede(['backup', file], { STAMPEDE_DATA_DIR: dataDir });
    const restoredDir = path.join(dir, 'pglite-restored');
    await stampede(['restore', file], { STAMPEDE_DATA_DIR: restoredDir });
    const restored = await startTestApp({ env: { STAMPEDE_DATA_DIR: restoredDir } });
    try {
      const event = await (await restored.request('GET', `/api/events/${eventId}`, { token: organizer.token })).json();
      expect(event.event.counts).toMatchObject({ confirmed: 10, waitlisted: 20 });
      await expectConsistent(restored, organizer, [eventId]);
    } finally {
      await restored.stop();
    }
  }, 120_000);
});
