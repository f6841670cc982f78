// The operator's path: two `stampede start` processes on PostgreSQL + Redis behind Debian's
// nginx running deploy/nginx/stampede.conf. A rush of 2,000 keyed registrations goes through
// nginx, and instance A is killed with kill -9 once 400 are in. Clients retry through nginx
// with the same Idempotency-Key. Socket.IO clients (WebSocket transport) follow the event
// through nginx; those that were on A reconnect to B and receive the final counts.
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openDatabase, type Database } from '../../src/platform/db/client.js';
import { runMigrations } from '../../src/platform/db/migrate.js';
import { createUsers, tokenSigner, type Entrant } from '../harness/entrants.js';
import { startNginx, type Nginx } from '../harness/nginx.js';
import { createDatabase, waitFor } from '../harness/processes.js';
import { retryingRush, type Attempt } from '../harness/retrying-clients.js';
import { spawnStampede, type StampedeProcess } from '../harness/stampede-process.js';

const JWT_SECRET = 'nginx-rush-secret-that-is-long-enough-for-hs256';
const ENTRANTS = 2_000;
const CAPACITY = 300;
const KILL_AFTER = 400;
const SOCKETS = 20;
const SEED = Number(process.env.CHAOS_SEED ?? Date.now() % 1_000_000);

interface Follower {
  socket: Socket;
  /** Set when the socket lost its connection: it was on the killed instance. */
  dropped: boolean;
  subscriptions: number;
  counts: any[];
}

describe('two instances behind nginx, one killed with kill -9 mid-rush', () => {
  let database: Database;
  let instances: StampedeProcess[] = [];
  let nginx: Nginx;
  let organizer: Entrant;
  let entrants: Entrant[];
  const followers: Follower[] = [];

  beforeAll(async () => {
    const databaseUrl = await createDatabase(inject('postgresUrl'));
    database = await openDatabase({ url: databaseUrl, pool: { max: 2 } });
    await runMigrations(database);
    const signer = await tokenSigner(JWT_SECRET);
    [organizer] = (await createUsers(database.db, signer.sign, 1, 'organizer')) as [Entrant];
    entrants = await createUsers(database.db, signer.sign, ENTRANTS + 1);
    await signer.close();
    const env = {
      DATABASE_URL: databaseUrl,
      REDIS_URL: inject('redisUrl'),
      REDIS_KEY_PREFIX: `nginx-rush:${randomUUID()}:`,
      JWT_SECRET,
      TRUST_PROXY: '1',
      STAMPEDE_RATE_LIMITS: 'off',
      MAX_EVENT_LOOP_DELAY_MS: '0',
    };
    instances = await Promise.all([spawnStampede({ env }), spawnStampede({ env })]);
    nginx = await startNginx(instances.map((instance) => `127.0.0.1:${instance.port}`));
  }, 120_000);

  afterAll(async () => {
    for (const follower of followers) follower.socket.disconnect();
    await nginx?.stop();
    await Promise.all(instances.map((instance) => instance.stop()));
    await database?.close();
  });

  const call = async (method: string, route: string, body?: unknown, token = organizer.token) => {
    const response = await fetch(nginx.url + route, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as any };
  };

  /**
   * A socket through nginx that (re)subscribes to the event on every connect, as a screen would:
   * without a token (one user's 20 sockets would pass SOCKETS_PER_USER on the surviving instance).
   */
  const follow = (eventId: string): Follower => {
    const socket = io(nginx.url, { transports: ['websocket'], reconnectionDelayMax: 1_000 });
    const follower: Follower = { socket, dropped: false, subscriptions: 0, counts: [] };
    socket.on('connect', () => {
      socket.emit('subscribe', `event:${eventId}`, (ack: { ok: boolean }) => {
        if (ack.ok) follower.subscriptions++;
      });
    });
    socket.on('disconnect', () => (follower.dropped = true));
    socket.on('counts', (counts) => follower.counts.push(counts));
    followers.push(follower);
    return follower;
  };

  it('confirms exactly the capacity, keeps every acknowledged registration, and the sockets on A get the final counts from B', async () => {
    const created = await call('POST', '/api/events', { slug: 'nginx-rush', title: 'Behind nginx', capacity: CAPACITY, mode: 'fcfs' });
    expect(created.status).toBe(201);
    const eventId: string = created.body.event.id;
    if (created.body.event.status !== 'open') expect((await call('POST', `/api/events/${eventId}/open`)).status).toBe(200);

    for (let i = 0; i < SOCKETS; i++) follow(eventId);
    await waitFor(async () => followers.every((follower) => follower.subscriptions === 1), 20_000, 'every socket to subscribe');

    const [a, b] = instances as [StampedeProcess, StampedeProcess];
    const attempts: Attempt[] = [];
    let successes = 0;
    const outcomes = await retryingRush(
      entrants
        .slice(0, ENTRANTS)
        .map((entrant, i) => ({ path: `/api/events/${eventId}/registrations`, token: entrant.token, idempotencyKey: `nginx-${i}` })),
      {
        baseUrls: [nginx.url],
        concurrency: 100,
        seed: SEED,
        deadlineMs: 120_000,
        onAttempt: (attempt) => {
          attempts.push(attempt);
          if (attempt.status >= 200 && attempt.status < 300 && ++successes === KILL_AFTER) a.child.kill('SIGKILL');
        },
      },
    );
    const figures = {
      seed: SEED,
      attempts: attempts.length,
      badGateway502: attempts.filter((attempt) => attempt.status === 502).length,
      noAnswer: attempts.filter((attempt) => attempt.status === 0).length,
      inFlight409: attempts.filter((attempt) => attempt.code === 'IDEMPOTENCY_KEY_IN_FLIGHT').length,
      droppedSockets: followers.filter((follower) => follower.dropped).length,
    };
    // eslint-disable-next-line no-console -- the figures docs/operations.md reports
    console.log(`nginx rush ${JSON.stringify(figures)}`);

    try {
      expect(await a.exited).toBeNull(); // killed by the signal
      expect(b.alive(), b.output().slice(-3_000)).toBe(true);
      const failed = outcomes.flatMap((outcome, i) => (outcome.status === 200 || outcome.status === 201 ? [] : [`${i}: ${outcome.status}`]));
      expect(failed.slice(0, 10)).toEqual([]);

      // Every acknowledged registration is the one in the database, and nobody is in twice.
      const acked = outcomes.map((outcome) => outcome.body.registration.id as string).sort();
      const { rows } = (await database.db.execute(
        sql`select id, user_id, status from registrations where event_id = ${eventId} order by id`,
      )) as unknown as { rows: Array<{ id: string; user_id: string; status: string }> };
      expect(rows.map((row) => row.id)).toEqual(acked);
      expect(new Set(rows.map((row) => row.user_id)).size).toBe(ENTRANTS);
      expect(rows.filter((row) => row.status === 'confirmed').length).toBe(CAPACITY);
      expect((await call('GET', `/api/events/${eventId}/audit/verify`)).body).toMatchObject({ ok: true });

      // The sockets that were on A are back (on B, the only instance left) and subscribed again.
      const moved = followers.filter((follower) => follower.dropped);
      expect(moved.length).toBeGreaterThan(0);
      await waitFor(
        async () => moved.every((follower) => follower.socket.connected && follower.subscriptions === 2),
        20_000,
        'the sockets on A to resubscribe',
      );
      // One more registration after they are back: every socket must get the counts it leads to.
      const last = await call('POST', `/api/events/${eventId}/registrations`, {}, entrants[ENTRANTS]!.token);
      expect(last.status).toBe(201);
      const final = { confirmed: CAPACITY, waitlisted: ENTRANTS + 1 - CAPACITY };
      await waitFor(
        async () =>
          followers.every((follower) =>
            follower.counts.some((counts) => counts.confirmed === final.confirmed && counts.waitlisted === final.waitlisted),
          ),
        20_000,
        'every socket to receive the final counts',
      );
    } catch (error) {
      (error as Error).message += `\nseed ${SEED}; figures ${JSON.stringify(figures)}; nginx error log:\n${nginx.log().slice(-2_000)}`;
      throw error;
    }
  }, 240_000);
});
