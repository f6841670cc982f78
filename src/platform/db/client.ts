// Opens the record: embedded PGlite when DATABASE_URL is unset, a pg pool otherwise.
// Both speak the same SQL, run the same migrations and are used through the same Drizzle API.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import pg from 'pg';
import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import type { Breaker } from '../breakers.js';
import * as schema from './schema.js';

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
/** Either the database or an open transaction: stores accept both. */
export type Executor = Db | Tx;

export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

export interface Database {
  kind: 'pglite' | 'postgres';
  db: Db;
  ping(): Promise<void>;
  poolStats(): PoolStats;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** postgres:// URL; when absent PGlite is used. */
  url?: string;
  /** PGlite data directory, or 'memory://' for a throwaway database. */
  pgliteDir?: string;
  pool?: { max: number; idleTimeoutMs: number; connectTimeoutMs: number };
  /** Wraps every pool checkout and query so that an unreachable server opens the breaker. */
  breaker?: Breaker;
  log?: Logger;
}

/** Where the configured record lives: DATABASE_URL, or PGlite under STAMPEDE_DATA_DIR. */
export function databaseOptions(config: Pick<Config, 'databaseUrl' | 'dataDir' | 'db'>): DatabaseOptions {
  return { url: config.databaseUrl, pgliteDir: path.join(config.dataDir, 'pglite'), pool: config.db };
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  return options.url ? openPostgres(options.url, options) : openPglite(options.pgliteDir ?? 'memory://');
}

async function openPglite(dir: string): Promise<Database> {
  if (!dir.startsWith('memory://')) mkdirSync(path.dirname(dir), { recursive: true });
  const client = await PGlite.create(dir);
  const db = drizzlePglite(yieldingEachStatement(client), { schema }) as unknown as Db;
  return {
    kind: 'pglite',
    db,
    ping: async () => {
      await client.query('select 1');
    },
    // PGlite is one embedded connection that serialises queries itself.
    poolStats: () => ({ total: 1, idle: 1, waiting: 0 }),
    close: () => client.close(),
  };
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * PGlite computes on this thread, and its queries resolve without passing through the I/O
 * phase: a transaction of several statements would run as one long turn of the event loop.
 * Since libuv 1.45 (Node 20) a listening socket accepts one connection per turn, so during a
 * rush new connections would wait in the kernel's queue, one per batch (seconds, measured).
 * A turn of the loop before each statement lets accepts, reads and timers in between.
 */
function yieldingEachStatement(client: PGlite): PGlite {
  const yielding =
    (runner: Pick<PGlite, 'query'>): PGlite['query'] =>
    async (...args) => {
      await nextTurn();
      return runner.query(...args);
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
  const poolOptions = options.pool ?? { max: 20, idleTimeoutMs: 30_000, connectTimeoutMs: 5_000 };
  const pool = new pg.Pool({
    connectionString: url,
    max: poolOptions.max,
    idleTimeoutMillis: poolOptions.idleTimeoutMs,
    connectionTimeoutMillis: poolOptions.connectTimeoutMs,
  });
  // An idle client losing its connection emits 'error' on the pool; unhandled, it would crash us.
  pool.on('error', (error) => options.log?.warn({ err: error }, 'idle postgres client failed'));
  if (options.breaker) guardPool(pool, options.breaker);
  const db = drizzlePg(pool, { schema }) as unknown as Db;
  return {
    kind: 'postgres',
    db,
    ping: async () => {
      await db.execute(sql`select 1`);
    },
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    close: () => pool.end(),
  };
}

function guardPool(pool: pg.Pool, breaker: Breaker): void {
  const connect = pool.connect.bind(pool);
  const query = pool.query.bind(pool) as (...args: unknown[]) => Promise<unknown>;
  pool.connect = ((callback?: unknown) =>
    callback ? connect(callback as never) : breaker.execute(() => connect())) as typeof pool.connect;
  pool.query = ((...args: unknown[]) => breaker.execute(() => query(...args))) as typeof pool.query;
}
