// Applies the SQL migrations in ./drizzle. The same files run on PGlite and PostgreSQL 15+.
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import type { PgliteDatabase } from 'drizzle-orm/pglite';
import type { Database, Db, Executor } from './client.js';

// src/platform/db and dist/platform/db are both three levels below the package root.
export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../../drizzle', import.meta.url));

// Arbitrary constant shared by every instance, so concurrent starts take their turn.
const STARTUP_LOCK_ID = 7_262_018;
const STARTUP_LOCK_POLL_MS = 100;
/** Far longer than any migration should take; past it, the holder is presumably stuck. */
const STARTUP_LOCK_WAIT_MS = 10 * 60_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `work` in a transaction holding the start-up lock, so instances starting together
 * migrate and bootstrap one at a time, and each finds the previous one's work committed. The
 * lock is transaction-scoped: released on commit, or when the process dies.
 */
export async function withStartupLock<T>(database: Database, work: (executor: Executor) => Promise<T>): Promise<T> {
  // An embedded database serves one process; a transaction held open here would only make
  // `work`'s own statements on other connections wait for it.
  if (database.kind === 'pglite') return work(database.db);
  return underStartupLock(database.db, work);
}

async function underStartupLock<T>(db: Db, work: (tx: Executor) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    // Polled, not waited for in one statement: statement_timeout would cancel a wait as long
    // as another instance's migrations.
    const deadline = Date.now() + STARTUP_LOCK_WAIT_MS;
    while (!(await tryStartupLock(tx))) {
      if (Date.now() > deadline) {
        throw new Error(
          `another instance has held the start-up lock (pg advisory lock ${STARTUP_LOCK_ID}) for ${STARTUP_LOCK_WAIT_MS / 60_000} minutes`,
        );
      }
      await sleep(STARTUP_LOCK_POLL_MS);
    }
    return work(tx);
  });
}

/**
 * Applies pending migrations; returns how many this call applied (0 when another instance
 * already had). `migrationsFolder` is for tests.
 */
export async function runMigrations(database: Database, migrationsFolder = MIGRATIONS_FOLDER): Promise<number> {
  const config = { migrationsFolder };
  const apply = async (executor: Executor, migrate: (executor: Executor) => Promise<void>) => {
    const before = await appliedMigrations(executor);
    await migrate(executor);
    return (await appliedMigrations(executor)) - before;
  };
  if (database.kind === 'pglite') {
    // No pool timeouts on the embedded database, and one process: no lock transaction either.
    return apply(database.db, (executor) => migratePglite(executor as unknown as PgliteDatabase, config));
  }
  // A connection of its own: the pool's statement_timeout (DB_STATEMENT_TIMEOUT_MS) and the
  // client's query_timeout are for requests, and would cancel a migration that takes longer.
  const session = database.openMigrationSession ? await database.openMigrationSession() : { db: database.db, close: async () => undefined };
  try {
    return await underStartupLock(session.db, async (tx) => {
      // Also lifts a statement_timeout set for the role or the database.
      await tx.execute(sql`set local statement_timeout = 0`);
      return apply(tx, (executor) => migratePg(executor as unknown as NodePgDatabase, config));
    });
  } finally {
    await session.close();
  }
}

async function tryStartupLock(executor: Executor): Promise<boolean> {
  const { rows } = (await executor.execute(sql`select pg_try_advisory_xact_lock(${STARTUP_LOCK_ID}) as locked`)) as unknown as {
    rows: Array<{ locked: boolean }>;
  };
  return rows[0]?.locked === true;
}

/** Rows in Drizzle's journal table, which it creates on the first migration. */
async function appliedMigrations(executor: Executor): Promise<number> {
  const rows = async (statement: ReturnType<typeof sql>) =>
    ((await executor.execute(statement)) as unknown as { rows: Array<{ n: number | null }> }).rows;
  const [table] = await rows(sql`select to_regclass('drizzle.__drizzle_migrations')::text as n`);
  if (!table?.n) return 0;
  const [count] = await rows(sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
  return Number(count?.n ?? 0);
}
