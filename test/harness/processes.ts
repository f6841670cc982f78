// Throwaway PostgreSQL and Redis servers for tests: started from the installed binaries on
// free ports in temp dirs, stopped afterwards. A missing binary fails loudly with what to
// install; tests never skip silently.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
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

export function requireBinary(name: string, install: string): string {
  try {
    return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(`The test harness needs '${name}' on PATH. Install it: ${install}`);
  }
}

export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

const isRoot = process.getuid?.() === 0;

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
function asPostgresUser(command: string, args: string[]): [string, string[]] {
  return isRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
}

export async function startPostgres(): Promise<PostgresServer> {
  const install = 'apt-get install -y postgresql (and put its bin dir, e.g. /usr/lib/postgresql/15/bin, on PATH)';
  const initdb = requireBinary('initdb', install);
  const pgCtl = requireBinary('pg_ctl', install);
  requireBinary('postgres', install);
  const dir = mkdtempSync(path.join(tmpdir(), 'stampede-pg-'));
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
      await stop().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
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

/** A new, empty database on a running server, so test files never see each other's rows. */
export async function createDatabase(serverUrl: string): Promise<string> {
  const name = `t_${process.pid}_${Date.now().toString(36)}_${databaseCounter++}`;
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`create database ${name}`);
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
  const binary = requireBinary('redis-server', 'apt-get install -y redis-server');
  const dir = mkdtempSync(path.join(tmpdir(), 'stampede-redis-'));
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;

  const start = async () => {
    child = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
      stdio: 'ignore',
    });
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
  await start();
  return {
    url,
    port,
    start,
    kill,
    pid: () => child?.pid,
    destroy: async () => {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
