// What the kill -9 tests share: Stampede started as its own process on a record seeded before it
// starts, a rush cut short by SIGKILL once enough answers are in, and plain JSON calls between.
import { afterAll, expect } from 'vitest';
import type { Database } from '../../src/platform/db/client.js';
import { runMigrations } from '../../src/platform/db/migrate.js';
import { createUsers, tokenSigner, type Entrant } from './entrants.js';
import { rush, type RushAnswer, type RushOptions, type RushRequest } from './rush.js';
import { spawnStampede, type StampedeProcess } from './stampede-process.js';

/**
 * Starts Stampede processes with the crash tests' settings (no rate limits, no load shedding, so
 * that only the kill interrupts the rush); every one is killed when the file ends.
 */
export function crashServers(jwtSecret: string): (env: Record<string, string>) => Promise<StampedeProcess> {
  const servers: StampedeProcess[] = [];
  afterAll(async () => {
    for (const server of servers) {
      server.child.kill('SIGKILL');
      await server.exited;
    }
  });
  return async (env) => {
    const server = await spawnStampede({ env: { JWT_SECRET: jwtSecret, STAMPEDE_RATE_LIMITS: 'off', MAX_EVENT_LOOP_DELAY_MS: '0', ...env } });
    servers.push(server);
    return server;
  };
}

/**
 * Migrates the record and writes an organizer and `count` users with their tokens straight into
 * it, before any server starts (PGlite admits one process at a time). Closes `database` after.
 */
export async function seedAccounts(database: Database, jwtSecret: string, count: number): Promise<{ organizer: Entrant; users: Entrant[] }> {
  const signer = await tokenSigner(jwtSecret);
  try {
    await runMigrations(database);
    const [organizer] = (await createUsers(database.db, signer.sign, 1, 'organizer')) as [Entrant];
    return { organizer, users: await createUsers(database.db, signer.sign, count) };
  } finally {
    await database.close();
    await signer.close();
  }
}

/**
 * Sends the requests to `server` and kills it with SIGKILL, whatever is in flight, once `killAfter`
 * answers have met `counts`; the rest go unanswered. Resolves once the process is gone.
 */
export async function rushUntilKilled(
  server: StampedeProcess,
  requests: RushRequest[],
  {
    killAfter,
    counts,
    ...options
  }: Omit<RushOptions, 'baseUrls' | 'signal' | 'onAnswer'> & { killAfter: number; counts: (answer: RushAnswer) => boolean },
): Promise<RushAnswer[]> {
  const stop = new AbortController();
  let counted = 0;
  const answers = await rush(requests, {
    ...options,
    baseUrls: [server.url],
    signal: stop.signal,
    onAnswer: (answer) => {
      if (counts(answer) && ++counted === killAfter) {
        server.child.kill('SIGKILL');
        stop.abort();
      }
    },
  });
  await server.exited;
  expect(server.child.signalCode).toBe('SIGKILL');
  return answers;
}

/** One JSON request with a bearer token; the body is parsed whatever the status. */
export async function call(url: string, method: string, route: string, token: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(url + route, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as any };
}

/** A first-come event, open for registrations; returns its id. */
export async function openFcfsEvent(url: string, token: string, event: { slug: string; title: string; capacity: number }): Promise<string> {
  const created = await call(url, 'POST', '/api/events', token, { ...event, mode: 'fcfs' });
  expect(created.status).toBe(201);
  const id: string = created.body.event.id;
  if (created.body.event.status !== 'open') expect((await call(url, 'POST', `/api/events/${id}/open`, token)).status).toBe(200);
  return id;
}
