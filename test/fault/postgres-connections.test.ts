// A connection that dies or hangs under a checked-out client fails that work with an error the
// breaker counts, never the process; the pool replaces the dead client and carries on.
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBreaker, isConnectionError } from '../../src/platform/breakers.js';
import { openDatabase, type Database } from '../../src/platform/db/client.js';
import { createMetrics } from '../../src/platform/metrics.js';
import { createDatabase, startPostgres, type PostgresServer } from '../harness/processes.js';

describe('PostgreSQL connection faults under checked-out clients', () => {
  let postgres: PostgresServer;
  let url: string;
  beforeAll(async () => {
    postgres = await startPostgres();
    url = await createDatabase(postgres.url);
  });
  afterAll(async () => {
    await postgres?.destroy();
  });

  const open = (statementTimeoutMs = 5_000) => {
    const breaker = createBreaker('postgres', 3, 60_000, createMetrics());
    return openDatabase({ url, breaker, pool: { max: 4, connectTimeoutMs: 1_000, statementTimeoutMs } }).then((database) => ({ database, breaker }));
  };

  /** Holds a transaction open between two statements until `release` resolves. */
  const openTransaction = (database: Database, release: Promise<void>) => {
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const result = database.db.transaction(async (tx) => {
      await tx.execute(sql`select 1`);
      started();
      await release;
      await tx.execute(sql`select 1`);
    });
    return { running, result };
  };

  it('fails a transaction whose connection is killed between statements, and keeps serving', async () => {
    const { database } = await open();
    try {
      let release!: () => void;
      const transaction = openTransaction(database, new Promise<void>((resolve) => (release = resolve)));
      await transaction.running;
      // Kill the transaction's backend from outside, as a crash or a failover would.
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      await admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where state = 'idle in transaction' and pid <> pg_backend_pid()`);
      await admin.end();
      // node-postgres emits 'error' on the client as the socket closes; with no listener of its
      // own, that would have ended this process here.
      await expect.poll(() => database.poolStats().total, { timeout: 5_000 }).toBeLessThanOrEqual(1);
      release();
      const failure = await transaction.result.catch((error: unknown) => error);
      expect(isConnectionError(failure)).toBe(true);
      expect(await database.db.execute(sql`select 2 as n`)).toMatchObject({ rows: [{ n: 2 }] });
    } finally {
      await database.close();
    }
  });

  it('answers within the statement timeout while the server is paused, opens the breaker, and recovers on SIGCONT', async () => {
    const { database, breaker } = await open(500);
    try {
      await database.db.execute(sql`select 1`); // a client in the pool, connected before the pause
      postgres.pause();
      const started = performance.now();
      const failures = await Promise.all(Array.from({ length: 4 }, () => database.db.execute(sql`select 1`).catch((error: unknown) => error)));
      const elapsed = performance.now() - started;
      postgres.resume();
      for (const failure of failures) expect(isConnectionError(failure) || breaker.isOpen()).toBe(true);
      // Expected: the statement timeout (0.5 s) plus the client's grace (1 s), or the connect timeout (1 s).
      expect(elapsed).toBeLessThan(10_000); // a hang would last as long as the pause
      expect(breaker.isOpen()).toBe(true);
      // A paused server is not a dead one: once continued, fresh connections answer.
      const fresh = await openDatabase({ url, pool: { max: 1 } });
      expect(await fresh.db.execute(sql`select 3 as n`)).toMatchObject({ rows: [{ n: 3 }] });
      await fresh.close();
    } finally {
      postgres.resume();
      await database.close();
    }
  });
});
