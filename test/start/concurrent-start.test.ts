// Four instances started together on an empty PostgreSQL and Redis, as a Deployment with four
// replicas does: every one becomes ready, the migrations and the admin bootstrap happen once,
// and each board is loaded into Redis once. An instance restarted later finds the boards
// loaded and current and loads nothing.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { MIGRATIONS_FOLDER } from '../../src/platform/db/migrate.js';
import { createDatabase } from '../harness/processes.js';
import { logLines, spawnStampede, untilReady, type LogLine, type StampedeProcess } from '../harness/stampede-process.js';

const INSTANCES = 4;
const ADMIN = { email: 'root@example.com', password: 'the-first-password' };
const REBUILT = 'rank index rebuilt from PostgreSQL';
/** Four start-ups at once on a shared, loaded machine take a while. */
const READY_TIMEOUT_MS = 120_000;

const running: StampedeProcess[] = [];
afterAll(async () => {
  await Promise.all(running.map((instance) => instance.stop()));
});

const withMessage = (logs: LogLine[], msg: string) => logs.filter((line) => line.msg === msg);

async function query<T>(databaseUrl: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query(text)).rows as T[];
  } finally {
    await client.end();
  }
}

describe('instances starting at once on an empty PostgreSQL + Redis', () => {
  it('all become ready; one migration run, one admin, each board rebuilt at most once; a restart rebuilds nothing', async () => {
    const databaseUrl = await createDatabase(inject('postgresUrl'));
    const env = {
      DATABASE_URL: databaseUrl,
      REDIS_URL: inject('redisUrl'),
      REDIS_KEY_PREFIX: `start-${randomUUID()}:`,
      JWT_SECRET: 'concurrent-start-secret-long-enough-for-hs256',
      STAMPEDE_ADMIN_EMAIL: ADMIN.email,
      STAMPEDE_ADMIN_PASSWORD: ADMIN.password,
      LOG_LEVEL: 'info',
    };
    const spawnedAt: number[] = [];
    const spawned = await Promise.all(
      Array.from({ length: INSTANCES }, async () => {
        const instance = await spawnStampede({ env, waitReady: false });
        spawnedAt.push(performance.now());
        running.push(instance);
        return instance;
      }),
    );
    expect(Math.max(...spawnedAt) - Math.min(...spawnedAt)).toBeLessThan(100);
    await Promise.all(spawned.map((instance) => untilReady(instance, READY_TIMEOUT_MS)));

    const logs = spawned.flatMap((instance) => logLines(instance.output()));
    const journal = JSON.parse(readFileSync(path.join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as { entries: unknown[] };
    expect(withMessage(logs, 'database migrations applied').map((line) => line.applied)).toEqual([journal.entries.length]);
    expect(await query(databaseUrl, 'select hash from drizzle.__drizzle_migrations')).toHaveLength(journal.entries.length);

    expect(await query(databaseUrl, `select email from users where role = 'admin'`)).toEqual([{ email: ADMIN.email }]);
    expect(withMessage(logs, 'created the admin account from STAMPEDE_ADMIN_EMAIL')).toHaveLength(1);

    // Redis started empty, so exactly one instance had to load each board.
    const rebuiltBoards = withMessage(logs, REBUILT).map((line) => line.board);
    const boards = await query<{ name: string }>(databaseUrl, 'select name from leaderboards');
    expect(boards.length).toBeGreaterThan(0);
    expect(rebuiltBoards.toSorted()).toEqual(boards.map((board) => board.name).toSorted());

    // A restart against the loaded Redis, with a password that no longer matches the account.
    expect(await spawned[0]!.stop()).toBe(0);
    const restarted = await spawnStampede({ env: { ...env, STAMPEDE_ADMIN_PASSWORD: 'a-changed-password' }, readyTimeoutMs: READY_TIMEOUT_MS });
    running.push(restarted);
    const restartLogs = logLines(restarted.output());
    expect(withMessage(restartLogs, REBUILT)).toEqual([]);
    const warnings = restartLogs.filter((line) => String(line.msg).includes('STAMPEDE_ADMIN_EMAIL exists with another password'));
    expect(warnings).toHaveLength(1);
    expect(String(warnings[0]!.msg)).toContain('stampede admin create');
    // The environment did not overwrite the stored password.
    const login = (password: string) =>
      fetch(`${restarted.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: ADMIN.email, password }),
      });
    expect((await login(ADMIN.password)).status).toBe(200);
    expect((await login('a-changed-password')).status).toBe(401);
  }, 240_000);
});
