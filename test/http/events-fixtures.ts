// Shared setup for the events and registrations tests: organizers, events, SQL access.
import { sql, type SQL } from 'drizzle-orm';
import { expect } from 'vitest';
import { signUp, type TestApp } from '../harness/app.js';

export const ADMIN = { email: 'root@example.com', password: 'rootpassword' };
export const ADMIN_ENV = { STAMPEDE_ADMIN_EMAIL: ADMIN.email, STAMPEDE_ADMIN_PASSWORD: ADMIN.password };

export async function adminSession(app: TestApp): Promise<{ token: string; user: { id: string } }> {
  const response = await app.request('POST', '/api/auth/login', { body: ADMIN });
  expect(response.status).toBe(200);
  return response.json();
}

/** A fresh account promoted to organizer by the admin. */
export async function organizer(app: TestApp) {
  const admin = await adminSession(app);
  const session = await signUp(app);
  const promoted = await app.request('PUT', `/api/users/${session.user.id}/role`, { token: admin.token, body: { role: 'organizer' } });
  expect(promoted.status).toBe(200);
  return session;
}

let slugCounter = 0;
export const uniqueSlug = (prefix = 'ev') => `${prefix}-${Date.now().toString(36)}-${slugCounter++}`;

export async function createEvent(app: TestApp, token: string, body: Record<string, unknown> = {}) {
  const response = await app.request('POST', '/api/events', {
    token,
    body: { slug: uniqueSlug(), title: 'Regional', capacity: 2, mode: 'fcfs', ...body },
  });
  if (response.status !== 201) throw new Error(`create event failed: ${response.status} ${await response.text()}`);
  return (await response.json()).event as { id: string; slug: string; status: string; counts: Record<string, number>; [key: string]: unknown };
}

export async function register(app: TestApp, eventId: string, token: string, body?: unknown) {
  const response = await app.request('POST', `/api/events/${eventId}/registrations`, { token, ...(body === undefined ? {} : { body }) });
  return { status: response.status, body: await response.json() };
}

export async function players(app: TestApp, count: number) {
  return Promise.all(Array.from({ length: count }, () => signUp(app)));
}

export async function query<T = Record<string, unknown>>(app: TestApp, statement: SQL): Promise<T[]> {
  const result = (await app.platform.database.db.execute(statement)) as unknown as { rows: T[] };
  return result.rows;
}

export const isoIn = (ms: number) => new Date(Date.now() + ms).toISOString();

/** Counters on the event row against the rows they count: they must always agree. */
export async function countersMatchRows(app: TestApp, eventId: string) {
  type Counters = Record<
    'capacity' | 'confirmed' | 'held' | 'waitlisted' | 'entered' | 'confirmed_rows' | 'held_rows' | 'waitlisted_rows' | 'entered_rows',
    number
  >;
  const [row] = await query<Counters>(
    app,
    sql`select e.capacity, e.confirmed, e.held, e.waitlisted, e.entered,
      (select count(*)::int from registrations r where r.event_id = e.id and r.status = 'confirmed') as confirmed_rows,
      (select count(*)::int from registrations r where r.event_id = e.id and r.status = 'held') as held_rows,
      (select count(*)::int from registrations r where r.event_id = e.id and r.status = 'waitlisted') as waitlisted_rows,
      (select count(*)::int from registrations r where r.event_id = e.id and r.status = 'entered') as entered_rows
      from events e where e.id = ${eventId}`,
  );
  expect(row!.confirmed).toBe(row!.confirmed_rows);
  expect(row!.held).toBe(row!.held_rows);
  expect(row!.waitlisted).toBe(row!.waitlisted_rows);
  expect(row!.entered).toBe(row!.entered_rows);
  expect(row!.confirmed_rows + row!.held_rows).toBeLessThanOrEqual(row!.capacity);
  return row!;
}
