// The record on both engines: migrations, constraints and retried transactions.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { openDatabase, type Database } from '../../src/platform/db/client.js';
import { pgErrorInfo, UNIQUE_VIOLATION } from '../../src/platform/db/errors.js';
import { runMigrations } from '../../src/platform/db/migrate.js';
import { users } from '../../src/platform/db/schema.js';
import { isRetryableTransactionError, withTransaction } from '../../src/platform/db/transaction.js';
import { createDatabase } from '../harness/processes.js';

describe.each(['pglite', 'postgres'] as const)('database on %s', (kind) => {
  let database: Database;
  beforeAll(async () => {
    database = await openDatabase(kind === 'postgres' ? { url: await createDatabase(inject('postgresUrl')) } : { pgliteDir: 'memory://' });
    await runMigrations(database);
  });
  afterAll(() => database?.close());

  it('applies migrations idempotently', async () => {
    await runMigrations(database);
    const rows = await database.db.execute(
      sql`select count(*)::int as n from information_schema.tables where table_name in ('users', 'idempotency_keys')`,
    );
    expect((rows as unknown as { rows: Array<{ n: number }> }).rows[0]!.n).toBe(2);
  });

  it('enforces case-insensitive unique handles and the role check in the database', async () => {
    await database.db.insert(users).values({ handle: 'Gary', email: 'gary@example.com', passwordHash: 'x' });
    const duplicate = await database.db
      .insert(users)
      .values({ handle: 'GARY', email: 'g2@example.com', passwordHash: 'x' })
      .catch((e) => e);
    expect(pgErrorInfo(duplicate)).toEqual({ code: UNIQUE_VIOLATION, constraint: 'users_handle_lower_key' });
    const badRole = await database.db
      .execute(sql`insert into users (handle, email, password_hash, role) values ('x1', 'x1@e.com', 'x', 'king')`)
      .catch((e) => e);
    expect(pgErrorInfo(badRole)?.code).toBe('23514');
  });

  it('rolls a failed transaction back completely', async () => {
    const failing = withTransaction(database.db, async (tx) => {
      await tx.insert(users).values({ handle: 'half', email: 'half@example.com', passwordHash: 'x' });
      await tx.insert(users).values({ handle: 'HALF', email: 'half2@example.com', passwordHash: 'x' });
    });
    await expect(failing).rejects.toThrow();
    const rows = await database.db
      .select()
      .from(users)
      .where(sql`lower(handle) = 'half'`);
    expect(rows).toHaveLength(0);
  });

  it('lets the server accept connections while a transaction runs (the event loop turns between statements)', async () => {
    // Node accepts one connection per turn of the event loop. An embedded transaction that ran
    // in a single turn would keep a rush's new connections in the kernel's queue throughout.
    let accepted = 0;
    const server = net.createServer((socket) => {
      accepted++;
      socket.destroy();
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as net.AddressInfo;
    const clients = Array.from({ length: 20 }, () => net.connect(port, '127.0.0.1').on('error', () => {}));
    let acceptedDuringTransaction = 0;
    try {
      await withTransaction(database.db, async (tx) => {
        for (let i = 0; i < 60; i++) await tx.execute(sql`select ${i}::int as i`);
        acceptedDuringTransaction = accepted;
      });
    } finally {
      for (const client of clients) client.destroy();
      server.close();
    }
    expect(acceptedDuringTransaction).toBe(clients.length);
  });
});

describe('transaction retry on real PostgreSQL', () => {
  let database: Database;
  beforeAll(async () => {
    database = await openDatabase({ url: await createDatabase(inject('postgresUrl')) });
    await database.db.execute(sql`create table counters (id int primary key, n int not null)`);
    await database.db.execute(sql`insert into counters values (1, 0)`);
  });
  afterAll(() => database?.close());

  it('retries serialization failures until every increment lands exactly once', async () => {
    let attempts = 0;
    const increments = 8;
    await Promise.all(
      Array.from({ length: increments }, () =>
        withTransaction(
          database.db,
          async (tx) => {
            attempts++;
            const result = await tx.execute(sql`select n from counters where id = 1`);
            const n = (result as unknown as { rows: Array<{ n: number }> }).rows[0]!.n;
            await tx.execute(sql`select pg_sleep(0.02)`); // widen the window so the transactions really overlap
            await tx.execute(sql`update counters set n = ${n + 1} where id = 1`);
          },
          { isolationLevel: 'serializable', retries: 20, baseDelayMs: 5 },
        ),
      ),
    );
    const result = await database.db.execute(sql`select n from counters where id = 1`);
    expect((result as unknown as { rows: Array<{ n: number }> }).rows[0]!.n).toBe(increments);
    expect(attempts).toBeGreaterThan(increments);
  });

  it('gives up after the configured retries and surfaces the error', async () => {
    let attempts = 0;
    const serializationFailure = Object.assign(new Error('could not serialize access'), { code: '40001' });
    await expect(
      withTransaction(database.db, async () => {
        attempts++;
        throw serializationFailure;
      }),
    ).rejects.toBe(serializationFailure);
    expect(attempts).toBe(4); // the first try and 3 retries
    expect(isRetryableTransactionError({ cause: { code: '40P01' } })).toBe(true);
    expect(isRetryableTransactionError({ code: '23505' })).toBe(false);
  });
});

describe('the pg pool', () => {
  it('never opens more connections than DB_POOL_MAX and queues the rest', async () => {
    const database = await openDatabase({
      url: await createDatabase(inject('postgresUrl')),
      pool: { max: 2, idleTimeoutMs: 30_000, connectTimeoutMs: 5_000 },
    });
    try {
      const queries = Promise.all(Array.from({ length: 8 }, () => database.db.execute(sql`select pg_sleep(0.1)`)));
      await expect.poll(() => database.poolStats().waiting).toBeGreaterThan(0);
      expect(database.poolStats().total).toBeLessThanOrEqual(2);
      await queries;
      await expect.poll(() => database.poolStats().waiting).toBe(0);
      expect(database.poolStats().total).toBe(2);
    } finally {
      await database.close();
    }
  });
});

describe('migrations on PostgreSQL', () => {
  it('are not cancelled by DB_STATEMENT_TIMEOUT_MS or the client query timeout: they run on a connection of their own', async () => {
    // One migration that takes longer than the pool's statement_timeout (200 ms) and its
    // client-side query_timeout (statement timeout + 1 s).
    const folder = mkdtempSync(path.join(tmpdir(), 'stampede-slow-migration-'));
    mkdirSync(path.join(folder, 'meta'));
    writeFileSync(
      path.join(folder, 'meta', '_journal.json'),
      JSON.stringify({
        version: '7',
        dialect: 'postgresql',
        entries: [{ idx: 0, version: '7', when: Date.now(), tag: '0000_slow', breakpoints: true }],
      }),
    );
    writeFileSync(
      path.join(folder, '0000_slow.sql'),
      'select pg_sleep(1.5);\n--> statement-breakpoint\ncreate table slow_migration_done (id int);\n',
    );
    const database = await openDatabase({ url: await createDatabase(inject('postgresUrl')), pool: { statementTimeoutMs: 200 } });
    try {
      // The pool itself does cancel such a statement.
      await expect(database.db.execute(sql`select pg_sleep(1.5)`)).rejects.toThrow();
      expect(await runMigrations(database, folder)).toBe(1);
      const found = await database.db.execute(sql`select to_regclass('slow_migration_done')::text as n`);
      expect((found as unknown as { rows: Array<{ n: string | null }> }).rows[0]!.n).toBe('slow_migration_done');
    } finally {
      await database.close();
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
