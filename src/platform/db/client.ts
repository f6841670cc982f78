// Opens the record: embedded PGlite when DATABASE_URL is unset, a pg pool otherwise.
// Both speak the same SQL, run the same migrations and are used through the same Drizzle API.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { sql } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import pg from 'pg';
import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import type { Breaker } from '../breakers.js';
import { lockDataDir, ownerOnly, secureDataDir, type DataDirLock } from './data-dir.js';
import { openReadReplica, type ReadReplica } from './read-replica.js';
import * as schema from './schema.js';

/** What read-only queries run on: a replica when one is configured and fit, else the primary. */
export type ReadDb = PgDatabase<PgQueryResultHKT, typeof schema>;
/**
 * The primary, which every write and every read of the caller's own fresh writes uses, and
 * `read` for the public read-only queries that may be served a moment behind (see
 * docs/operations.md, "Read replica"). Without a replica `read` is the primary itself.
 */
export type Db = ReadDb & { read: ReadDb };
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
/** Either the database or an open transaction: stores accept both. */
export type Executor = ReadDb | Tx;

export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

export interface Database {
  kind: 'pglite' | 'postgres';
  db: Db;
  /** DATABASE_READ_URL's replica: its lag and breaker; absent without one. */
  replica?: ReadReplica;
  ping(): Promise<void>;
  poolStats(): PoolStats;
  /** The embedded database's data dir lock; absent for PostgreSQL and in-memory PGlite. */
  dataDirLock?: DataDirLock;
  /**
   * PostgreSQL only: one connection of its own with neither the pool's statement_timeout nor its
   * client-side query_timeout, for migrations, which may take longer than any request should.
   * The caller closes it.
   */
  openMigrationSession?(): Promise<{ db: Db; close(): Promise<void> }>;
  close(): Promise<void>;
}

export type PoolSettings = Config['db'];

const DEFAULT_POOL: PoolSettings = {
  max: 20,
  idleTimeoutMs: 30_000,
  connectTimeoutMs: 5_000,
  statementTimeoutMs: 5_000,
  idleInTransactionTimeoutMs: 10_000,
};

/**
 * How long the client waits for any answer beyond the server's own statement_timeout. A server
 * that is paused or cut off by the network enforces nothing, so without this a query would
 * wait for as long as TCP does (minutes) while requests pile up behind it.
 */
const CLIENT_GRACE_MS = 1_000;

export interface DatabaseOptions {
  /** postgres:// URL; when absent PGlite is used. */
  url?: string;
  /** PGlite data directory, or 'memory://' for a throwaway database. */
  pgliteDir?: string;
  /**
   * A data dir dumped by PGlite's dumpDataDir, to start a new embedded database from instead of
   * an empty one; ignored when the data dir already holds a database. Tests start hundreds of
   * servers from one migrated copy: unpacking it takes a fraction of initialising and migrating.
   */
  pgliteTemplate?: Blob;
  pool?: Partial<PoolSettings>;
  /** Wraps every pool checkout and query so that an unreachable server opens the breaker. */
  breaker?: Breaker;
  log?: Logger;
  /** Called with every statement Drizzle sends (the hot-path statement count test reads it). */
  logQuery?: (statement: string) => void;
  /** Told each statement's duration in seconds (for db_query_duration_seconds). */
  onQuery?: (seconds: number) => void;
  /** PostgreSQL only: a streaming replica of `url` for `db.read`. */
  readReplica?: { url: string; breaker: Breaker; maxLagMs: number; lagIntervalMs: number; onRead?: (server: 'replica' | 'primary') => void };
}

/** Where the configured record lives: DATABASE_URL, or PGlite under STAMPEDE_DATA_DIR. */
export function databaseOptions(config: Pick<Config, 'databaseUrl' | 'dataDir'> & { db?: Partial<PoolSettings> }): DatabaseOptions {
  return { url: config.databaseUrl, pgliteDir: path.join(config.dataDir, 'pglite'), pool: config.db };
}

/** The primary as a Db whose `read` is `read`, or the primary again. */
const withRead = (primary: ReadDb, read: ReadDb = primary): Db => Object.assign(primary, { read });

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  return options.url ? openPostgres(options.url, options) : openPglite(options.pgliteDir ?? 'memory://', options);
}

const drizzleOptions = ({ logQuery }: DatabaseOptions) => ({ schema, ...(logQuery ? { logger: { logQuery } } : {}) });

async function openPglite(dir: string, options: DatabaseOptions): Promise<Database> {
  const { log } = options;
  let dataDirLock: DataDirLock | undefined;
  if (!dir.startsWith('memory://')) {
    secureDataDir(path.dirname(dir));
    dataDirLock = lockDataDir(path.dirname(dir), log);
  }
  let client: PGlite;
  try {
    // pg_trgm ships with PGlite as a contrib extension; product search needs it (drizzle/0005_pg_trgm.sql).
    const loadDataDir = options.pgliteTemplate && !holdsDatabase(dir) ? options.pgliteTemplate : undefined;
    client = await PGlite.create(dir, { extensions: { pg_trgm }, loadDataDir });
    if (dataDirLock) ownerOnly(dir);
  } catch (error) {
    dataDirLock?.release();
    throw error;
  }
  // Embedded: there is no replica, reads use the one database.
  const db = withRead(drizzlePglite(yieldingEachStatement(client, options.onQuery), drizzleOptions(options)) as unknown as ReadDb);
  return {
    kind: 'pglite',
    db,
    ping: async () => {
      await client.query('select 1');
    },
    // PGlite is one embedded connection that serialises queries itself.
    poolStats: () => ({ total: 1, idle: 1, waiting: 0 }),
    dataDirLock,
    close: async () => {
      await client.close();
      if (dataDirLock) {
        ownerOnly(dir);
        dataDirLock.release();
      }
    },
  };
}

const holdsDatabase = (dir: string) => !dir.startsWith('memory://') && existsSync(path.join(dir, 'PG_VERSION'));

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * PGlite computes on this thread, and its queries resolve without passing through the I/O
 * phase: a transaction of several statements would run as one long turn of the event loop.
 * Since libuv 1.45 (Node 20) a listening socket accepts one connection per turn, so during a
 * rush new connections would wait in the kernel's queue, one per batch (seconds, measured).
 * A turn of the loop before each statement lets accepts, reads and timers in between.
 */
function yieldingEachStatement(client: PGlite, onQuery?: (seconds: number) => void): PGlite {
  const yielding =
    (runner: Pick<PGlite, 'query'>): PGlite['query'] =>
    async (...args) => {
      await nextTurn();
      return timed(() => runner.query(...args), onQuery);
    };
  // Only what Drizzle's PGlite driver calls: a plain object, so no PGlite method ever runs with
  // a stand-in as `this` (PGlite keeps its state in private fields).
  const wrapped = {
    query: yielding(client),
    // The transaction's own object stays the prototype, so its live `closed` getter still answers.
    transaction: (work) => client.transaction((tx) => work(Object.assign(Object.create(tx) as typeof tx, { query: yielding(tx) }))),
  } satisfies Pick<PGlite, 'query' | 'transaction'>;
  return wrapped as unknown as PGlite;
}

async function openPostgres(url: string, options: DatabaseOptions): Promise<Database> {
  const settings = { ...DEFAULT_POOL, ...options.pool };
  const poolConfig: pg.PoolConfig = {
    max: settings.max,
    idleTimeoutMillis: settings.idleTimeoutMs,
    connectionTimeoutMillis: settings.connectTimeoutMs,
    statement_timeout: settings.statementTimeoutMs,
    idle_in_transaction_session_timeout: settings.idleInTransactionTimeoutMs,
    query_timeout: settings.statementTimeoutMs + CLIENT_GRACE_MS,
  };
  const pool = new pg.Pool({ ...poolConfig, connectionString: url });
  const log = options.log;
  // node-postgres emits 'error' on a client whose connection dies. The pool listens only while
  // the client is idle; a client checked out for a transaction (or an advisory lock) that had no
  // listener of its own would end the process. This one stays for the client's whole life: the
  // failure still reaches the query that was running, as a rejected promise.
  pool.on('connect', (client) => {
    client.on('error', (error) => log?.warn({ err: error }, 'postgres connection failed'));
    guardClient(client, options.breaker, options.onQuery);
  });
  // The client's own listener has logged it already.
  pool.on('error', () => undefined);
  if (options.breaker) guardPool(pool, options.breaker);
  const replica =
    options.readReplica &&
    openReadReplica(pool, {
      ...options.readReplica,
      pool: poolConfig,
      log,
      // Its statements are timed like the primary's; its own breaker wraps each read whole.
      guard: (client) => guardClient(client, undefined, options.onQuery),
    });
  const primary = drizzlePg(pool, drizzleOptions(options)) as unknown as ReadDb;
  const db = withRead(primary, replica ? (drizzlePg(replica.pool as unknown as pg.Pool, drizzleOptions(options)) as unknown as ReadDb) : undefined);
  return {
    kind: 'postgres',
    db,
    replica: replica?.status,
    ping: async () => {
      await db.execute(sql`select 1`);
    },
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    openMigrationSession: async () => {
      const session = new pg.Pool({ connectionString: url, max: 1, connectionTimeoutMillis: settings.connectTimeoutMs });
      // As for the main pool: a connection that dies while checked out must not end the process.
      session.on('connect', (client) => {
        client.on('error', (error) => log?.warn({ err: error }, 'postgres migration connection failed'));
      });
      session.on('error', () => undefined);
      return { db: withRead(drizzlePg(session, { schema }) as unknown as ReadDb), close: () => session.end() };
    },
    close: async () => {
      await replica?.close();
      await pool.end();
    },
  };
}

/**
 * A checked-out client's queries (a transaction's statements) count for the breaker like the
 * pool's own. A query that timed out leaves its client waiting for an answer that may never
 * come: the connection is dropped, so the pool discards the client when it is released
 * instead of handing it to the next caller.
 */
function guardClient(client: pg.PoolClient, breaker: Breaker | undefined, onQuery?: (seconds: number) => void): void {
  const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
  client.query = ((...args: unknown[]) => {
    const last = args[args.length - 1];
    // pg-pool's own pool.query passes a callback; it is already guarded as a whole.
    if (typeof last === 'function') {
      const started = performance.now();
      return query(...args.slice(0, -1), (...results: unknown[]) => {
        onQuery?.((performance.now() - started) / 1000);
        (last as (...results: unknown[]) => void)(...results);
      });
    }
    const run = () =>
      timed(() => query(...args), onQuery).catch((error: unknown) => {
        if (error instanceof Error && error.message === QUERY_TIMEOUT_MESSAGE) dropConnection(client);
        throw error;
      });
    return breaker ? breaker.execute(run) : run();
  }) as typeof client.query;
}

const QUERY_TIMEOUT_MESSAGE = 'Query read timeout';

async function timed<T>(run: () => Promise<T>, onQuery: ((seconds: number) => void) | undefined): Promise<T> {
  if (!onQuery) return run();
  const started = performance.now();
  try {
    return await run();
  } finally {
    onQuery((performance.now() - started) / 1000);
  }
}

function dropConnection(client: pg.PoolClient): void {
  (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
}

function guardPool(pool: pg.Pool, breaker: Breaker): void {
  const connect = pool.connect.bind(pool);
  const query = pool.query.bind(pool) as (...args: unknown[]) => Promise<unknown>;
  pool.connect = ((callback?: unknown) => (callback ? connect(callback as never) : breaker.execute(() => connect()))) as typeof pool.connect;
  pool.query = ((...args: unknown[]) => breaker.execute(() => query(...args))) as typeof pool.query;
}
