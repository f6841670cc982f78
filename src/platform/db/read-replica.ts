// DATABASE_READ_URL: public read-only queries go to a streaming replica while it answers and is
// no further behind than READ_REPLICA_MAX_LAG_MS; otherwise, and for any query the replica
// fails to answer, the primary serves them. Stores choose per query: `db.read` may be a replica,
// `db` is always the primary.
import pg from 'pg';
import type { Logger } from 'pino';
import { BrokenCircuitError, isConnectionError, type Breaker } from '../breakers.js';
import { pgErrorInfo } from './errors.js';
import { createLagTracker, parseLsn } from './replica-lag.js';

export interface ReadReplicaOptions {
  url: string;
  /** The replica's own breaker: while open, reads go to the primary without trying it. */
  breaker: Breaker;
  maxLagMs: number;
  /** How often the lag is measured (and, while the breaker is open, when recovery is tried). */
  lagIntervalMs: number;
  /** Pool settings, as for the primary. */
  pool: pg.PoolConfig;
  log?: Logger;
  /** Called with each new replica connection. */
  guard?: (client: pg.PoolClient) => void;
  /** Told which server answered each read. */
  onRead?: (server: 'replica' | 'primary') => void;
}

export interface ReadReplica {
  /** Milliseconds behind the primary; undefined until measured, or when the last measurement failed. */
  lagMs(): number | undefined;
  /** True while reads go to the replica. */
  serving(): boolean;
  breaker: Breaker;
}

type Query = (...args: unknown[]) => Promise<unknown>;

/**
 * Stands in for a pg.Pool under Drizzle's `db.read`. Drizzle sends plain queries through
 * `query` and opens transactions with `connect`; a class whose name has "Pool" in it is what
 * Drizzle takes for a pool, so a transaction on `db.read` runs on one primary connection.
 */
export class ReadRoutingPool {
  constructor(
    private readonly primary: pg.Pool,
    private readonly route: (args: unknown[]) => Promise<unknown>,
  ) {}

  query(...args: unknown[]): Promise<unknown> {
    return this.route(args);
  }

  connect(): Promise<pg.PoolClient> {
    return this.primary.connect();
  }
}

/** A replica conflict cancels a read when replay needs what it reads; the primary has no such conflict. */
const RECOVERY_CONFLICT = '40001';

export function openReadReplica(primary: pg.Pool, options: ReadReplicaOptions) {
  const { breaker, log } = options;
  const replica = new pg.Pool({ ...options.pool, connectionString: options.url, application_name: 'stampede-read' });
  replica.on('connect', (client) => {
    client.on('error', (error) => log?.warn({ err: error }, 'read replica connection failed'));
    options.guard?.(client);
  });
  replica.on('error', () => undefined);
  const tracker = createLagTracker();
  let lag: number | undefined;
  // What was last logged, so each change is logged once.
  let unreachable = false;
  let lagging = false;
  const serving = () => lag !== undefined && lag <= options.maxLagMs && !breaker.isOpen();

  const queryReplica = replica.query.bind(replica) as Query;
  const queryPrimary = primary.query.bind(primary) as Query;
  // A read the replica could not answer (down, too slow, or cancelled by a replay conflict) is
  // answered by the primary instead: the caller gets its rows either way.
  const route = async (args: unknown[]) => {
    if (serving()) {
      try {
        const result = await breaker.execute(() => queryReplica(...args));
        options.onRead?.('replica');
        return result;
      } catch (error) {
        const fallBack = error instanceof BrokenCircuitError || isConnectionError(error) || pgErrorInfo(error)?.code === RECOVERY_CONFLICT;
        if (!fallBack) throw error;
      }
    }
    options.onRead?.('primary');
    return queryPrimary(...args);
  };

  // One measurement: the primary's position first, then how far the replica has replayed. The
  // replica's query goes through its breaker, so while the replica is down this is also what
  // half-opens and closes the breaker again once it answers.
  const measure = async () => {
    const position = await primary.query<{ lsn: string }>('select pg_current_wal_lsn()::text as lsn').catch(() => undefined);
    if (position) tracker.primaryAt(parseLsn(position.rows[0]!.lsn), Date.now());
    try {
      const replayed = await breaker.execute(() => replica.query<{ lsn: string | null }>('select pg_last_wal_replay_lsn()::text as lsn'));
      const lsn = replayed.rows[0]!.lsn;
      // A server that is not in recovery (DATABASE_READ_URL naming the primary itself) has no lag.
      lag = lsn === null ? 0 : tracker.replayedAt(parseLsn(lsn), Date.now());
      if (unreachable) log?.info('read replica reachable again');
      unreachable = false;
      const tooFar = lag > options.maxLagMs;
      if (tooFar !== lagging) {
        lagging = tooFar;
        if (lagging) log?.warn({ lagMs: lag, maxLagMs: options.maxLagMs }, 'read replica lags too far: reads go to the primary');
        else log?.info({ lagMs: lag }, 'read replica caught up');
      }
    } catch (error) {
      // Once per outage, not once per interval.
      if (!unreachable) log?.warn({ err: error }, 'read replica unreachable: reads go to the primary');
      unreachable = true;
      lag = undefined;
    }
  };

  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const loop = () => {
    void measure().finally(() => {
      if (!stopped) timer = setTimeout(loop, options.lagIntervalMs).unref();
    });
  };
  loop();

  const status: ReadReplica = { lagMs: () => lag, serving, breaker };
  return {
    status,
    pool: new ReadRoutingPool(primary, route),
    close: async () => {
      stopped = true;
      clearTimeout(timer);
      await replica.end();
    },
  };
}
