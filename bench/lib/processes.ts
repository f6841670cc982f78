// The processes under load: the bare Fastify ceiling and the real Stampede server, each a child
// process on 127.0.0.1, so the load generator never shares a core's event loop with them.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { databaseOptions, openDatabase, type Database } from '../../src/platform/db/client.js';
import { runMigrations } from '../../src/platform/db/migrate.js';
import { createDatabase, freePort, startPostgres, startRedis, waitFor } from '../../test/harness/processes.js';
import { onCleanup } from './cleanup.js';
import { processCpuMs, processTreeCpuMs, type CpuProbes } from './cpu.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;
const OUTPUT_LINES_KEPT = 20;

export interface Service {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  pid: number;
  /** The process's last lines of output, to explain failures. */
  recentOutput(): string[];
  stop(): Promise<void>;
}

interface ServiceOptions {
  name: string;
  /** Arguments to `node`. */
  args: string[];
  env: NodeJS.ProcessEnv;
  port: number;
  readyPath: string;
  /** Also appends everything the process prints to this file. */
  outputFile?: string;
}

/** Spawns a Node process, waits until readyPath answers 2xx, and registers its teardown. */
async function startService({ name, args, env, port, readyPath, outputFile, cwd = REPO_ROOT }: ServiceOptions & { cwd?: string }): Promise<Service> {
  const child = spawn(process.execPath, args, { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
  // Kept for the error message if the process dies; it is otherwise silent (LOG_LEVEL=warn).
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(...chunk.toString().split('\n').filter(Boolean));
    output.splice(0, Math.max(0, output.length - OUTPUT_LINES_KEPT));
    if (outputFile) appendFileSync(outputFile, chunk);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const describeOutput = () => (output.length ? `; its last output:\n  ${output.join('\n  ')}` : '');

  let ready = false;
  let stopping = false;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const hasExited = () => child.exitCode !== null || child.signalCode !== null;
  child.once('exit', (code, signal) => {
    // Before ready, the start fails with this output instead; SIGINT is Ctrl-C reaching the
    // whole process group, and the bench is stopping too.
    if (ready && !stopping && signal !== 'SIGINT')
      console.error(`bench: ${name} exited unexpectedly (code ${code}, signal ${signal})${describeOutput()}`);
  });
  // Last resort if the bench exits without running its cleanup.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const stop = async () => {
    stopping = true;
    process.off('exit', killOnExit);
    if (hasExited()) return;
    child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = await Promise.race([
      exited.then(() => false),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), STOP_TIMEOUT_MS))),
    ]);
    clearTimeout(timer);
    if (gaveUp) {
      console.error(`bench: ${name} did not stop within ${STOP_TIMEOUT_MS / 1000} s of SIGTERM; killing it`);
      child.kill('SIGKILL');
      await exited;
    }
  };
  onCleanup(stop);

  const url = `http://127.0.0.1:${port}`;
  // The check also returns true when the child died, so a crash at start fails at once.
  await waitFor(async () => hasExited() || (await fetch(url + readyPath)).ok, READY_TIMEOUT_MS, `${name} to answer ${readyPath}`);
  if (hasExited()) throw new Error(`${name} exited before it was ready${describeOutput()}`);
  ready = true;
  return { url, pid: child.pid!, recentOutput: () => [...output], stop };
}

export async function startBareFastify(): Promise<Service> {
  const port = await freePort();
  return startService({
    name: 'bare Fastify',
    args: ['--import', 'tsx', 'bench/lib/bare-server.ts'],
    env: { ...process.env, PORT: String(port) },
    port,
    readyPath: '/bare',
  });
}

function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface StampedeService extends Service {
  /** An admin account created at start, for scenarios that need an organizer. */
  admin: { email: string; password: string };
  /** CPU of Stampede's process, and on PostgreSQL + Redis of the postgres and redis-server processes. */
  cpu: CpuProbes;
}

/**
 * Runs before the server starts, on its migrated database (PGlite allows one process at a time),
 * with the server's JWT secret: for data too big to create over HTTP, which the server then
 * loads at start as it would in production.
 */
export type PrepareDatabase = (database: Database, jwtSecret: string) => Promise<void>;

async function prepareDatabase(prepare: PrepareDatabase, databaseUrl: string, dataDir: string, jwtSecret: string): Promise<void> {
  // The same location rule as the server's, so it finds what was prepared.
  const pool = { max: 4, idleTimeoutMs: 10_000, connectTimeoutMs: 10_000 };
  const database = await openDatabase(databaseOptions({ databaseUrl: databaseUrl || undefined, dataDir, db: pool }));
  try {
    await runMigrations(database);
    await prepare(database, jwtSecret);
  } finally {
    await database.close();
  }
}

/**
 * The real server, `stampede start`, with rate limits off (a load test is one client sending
 * unlimited requests) on embedded PGlite and in-process adapters, or with `pgRedis` on a
 * throwaway PostgreSQL and Redis from the test harness.
 */
export async function startStampede({
  pgRedis,
  prepare,
  env = {},
}: {
  pgRedis: boolean;
  prepare?: PrepareDatabase;
  env?: Record<string, string>;
}): Promise<StampedeService> {
  // Empty rather than absent, so neither the caller's environment nor a .env picks the backend.
  const backend = { DATABASE_URL: '', REDIS_URL: '' };
  const backendCpu: CpuProbes = {};
  if (pgRedis) {
    const postgres = await startPostgres();
    onCleanup(() => postgres.destroy());
    const redis = await startRedis();
    onCleanup(() => redis.destroy());
    backendCpu.postgres = () => processTreeCpuMs(postgres.postmasterPid());
    backendCpu.redis = () => processCpuMs(redis.pid() ?? 0);
    backend.DATABASE_URL = await createDatabase(postgres.url);
    backend.REDIS_URL = redis.url;
  }
  const dataDir = tempDir('stampede-bench-');
  const jwtSecret = randomBytes(36).toString('base64url');
  if (prepare) await prepareDatabase(prepare, backend.DATABASE_URL, dataDir, jwtSecret);
  const port = await freePort();
  const admin = { email: 'bench-admin@example.com', password: randomBytes(12).toString('base64url') };
  const service = await startService({
    name: 'Stampede',
    // BENCH_SERVER_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", to profile the server.
    args: [...(process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? []), '--import', 'tsx', 'src/main.ts', 'start'],
    env: {
      ...process.env,
      ...backend,
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      STAMPEDE_DATA_DIR: dataDir,
      JWT_SECRET: jwtSecret,
      LOG_LEVEL: 'warn',
      STAMPEDE_RATE_LIMITS: 'off',
      // Every benchmark client connects from 127.0.0.1, and some share a user.
      SOCKETS_PER_ADDRESS: '0',
      SOCKETS_PER_USER: '0',
      STAMPEDE_ADMIN_EMAIL: admin.email,
      STAMPEDE_ADMIN_PASSWORD: admin.password,
      ...env,
    },
    port,
    readyPath: '/health',
    outputFile: process.env.BENCH_SERVER_OUTPUT,
    // BENCH_SERVER_CHECKOUT: another checkout's server under this bench client, to compare two.
    cwd: process.env.BENCH_SERVER_CHECKOUT || REPO_ROOT,
  });
  return { ...service, admin, cpu: { stampede: () => processCpuMs(service.pid), ...backendCpu } };
}
