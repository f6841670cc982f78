// The `stampede` command as a user runs it: help, config errors, migrate, admin create, and a
// real start with graceful shutdown on SIGTERM, in one process and as a cluster.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { io as connect } from 'socket.io-client';
import { describe, expect, inject, it } from 'vitest';
import { createDatabase, freePort, waitFor } from './harness/processes.js';

const MAIN = path.resolve('src/main.ts');
/** A start-up takes a few seconds alone, and over 20 s with the rest of the suite on 2 busy cores. */
const START_TIMEOUT_MS = 60_000;

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { DATABASE_URL: _d, REDIS_URL: _r, JWT_SECRET: _j, PORT: _p, ...rest } = process.env;
  return { ...rest, LOG_LEVEL: 'info', STAMPEDE_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'stampede-cli-')), ...extra };
}

function run(args: string[], extra: Record<string, string> = {}, timeout = 60_000) {
  return spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], { env: env(extra), encoding: 'utf8', timeout });
}

describe('stampede CLI', () => {
  it('explains every command', () => {
    const help = run(['--help']);
    expect(help.status).toBe(0);
    for (const command of ['start', 'migrate', 'admin']) expect(help.stdout).toContain(command);
    expect(run(['start', '--help']).stdout).toMatch(/--workers <n>[\s\S]*REDIS_URL/);
    expect(run(['admin', 'create', '--help']).stdout).toMatch(/--email[\s\S]*--password/);
    expect(run(['migrate', '--help']).status).toBe(0);
  });

  it('exits 2 naming the variable when a setting is bad', () => {
    const result = run(['migrate'], { PORT: 'eighty' });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('PORT');
    const production = run(['migrate'], { NODE_ENV: 'production' });
    expect(production.status).toBe(2);
    expect(production.stderr).toContain('JWT_SECRET');
  });

  it('refuses several workers without PostgreSQL and Redis', () => {
    const result = run(['start', '--workers', '2']);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/REDIS_URL and DATABASE_URL/);
    expect(run(['start', '--workers', 'many']).status).not.toBe(0);
  });

  it(
    'migrates and creates an admin in the embedded database',
    () => {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'stampede-cli-'));
      const migrated = run(['migrate'], { STAMPEDE_DATA_DIR: dataDir });
      expect(migrated.status).toBe(0);
      expect(migrated.stdout).toMatch(/^[1-9]\d* migrations? applied/);
      const created = run(['admin', 'create', '--email', 'boss@example.com', '--password', 'bosspassword'], { STAMPEDE_DATA_DIR: dataDir });
      expect(created.stderr).toBe('');
      expect(created.stdout).toMatch(/^Created admin boss@example.com/);
      const again = run(['admin', 'create', '--email', 'boss@example.com', '--password', 'newpassword'], { STAMPEDE_DATA_DIR: dataDir });
      expect(again.stdout).toMatch(/^Updated admin/);
      expect(run(['admin', 'create', '--email', 'nope', '--password', 'bosspassword']).status).toBe(2);
    },
    4 * START_TIMEOUT_MS,
  );

  it(
    'says in one line why start failed, without a stack, and exits 1',
    async () => {
      const closedPort = await freePort();
      const unreachable = run(['start'], {
        DATABASE_URL: `postgres://postgres@127.0.0.1:${closedPort}/shop`,
        JWT_SECRET: 'one-line-secret-that-is-at-least-32-chars',
      });
      expect(unreachable.status).toBe(1);
      expect(unreachable.stderr.trim().split('\n')).toEqual([
        expect.stringMatching(
          new RegExp(`^stampede: could not start: cannot reach PostgreSQL at 127\\.0\\.0\\.1:${closedPort}/shop .*Check DATABASE_URL`),
        ),
      ]);
      expect(unreachable.stdout + unreachable.stderr).not.toMatch(/^\s+at /m);

      const taken = createServer().listen(0, '127.0.0.1');
      await once(taken, 'listening');
      try {
        const { port } = taken.address() as AddressInfo;
        const busy = run(['start'], { PORT: String(port), HOST: '127.0.0.1' });
        expect(busy.status).toBe(1);
        expect(busy.stderr.trim()).toBe(
          `stampede: could not start: port ${port} on 127.0.0.1 is already in use. Stop what holds it, or set PORT to a free port.`,
        );
      } finally {
        taken.close();
      }
    },
    2 * START_TIMEOUT_MS,
  );

  it('gives up with one line when workers keep dying at start, after restarting them with a growing backoff', async () => {
    const result = run(
      ['start', '--workers', '2'],
      {
        DATABASE_URL: `postgres://postgres@127.0.0.1:${await freePort()}/shop`,
        REDIS_URL: inject('redisUrl'),
        JWT_SECRET: 'give-up-secret-that-is-at-least-32-characters',
      },
      // Five workers' start-ups and the backoff between them; on a loaded machine a start-up takes seconds.
      150_000,
    );
    expect(result.status).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines.at(-1)).toMatch(/^stampede: workers keep dying at start \(5 in a row, the last with exit code 1\); giving up\./);
    expect(lines.slice(0, -1).every((line) => line.startsWith('stampede: could not start: cannot reach PostgreSQL'))).toBe(true);
    const delays = result.stdout
      .split('\n')
      .filter((line) => line.includes('worker died; starting a new one'))
      .map((line) => (JSON.parse(line) as { restartInMs: number }).restartInMs);
    expect(delays).toEqual([250, 500, 1000, 2000]);
  }, 180_000);

  async function startAndStop(args: string[], extra: Record<string, string>) {
    const port = await freePort();
    const childEnv = env({ PORT: String(port), HOST: '127.0.0.1', ...extra });
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'start', ...args], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/health`)).ok, START_TIMEOUT_MS, 'stampede start to serve /health');
      return { port, output: () => output, dataDir: childEnv.STAMPEDE_DATA_DIR!, child, exited };
    } catch (error) {
      child.kill('SIGKILL');
      throw new Error(`${(error as Error).message}\n${output}`, { cause: error });
    }
  }

  it(
    'serves, generates a JWT secret when unset, and shuts down gracefully on SIGTERM',
    async () => {
      const server = await startAndStop([], {});
      expect(existsSync(path.join(server.dataDir, 'jwt-secret'))).toBe(true);
      expect(server.output()).toContain('JWT_SECRET is not set');
      const guest = await fetch(`http://127.0.0.1:${server.port}/api/auth/guest`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ nickname: 'cli' }),
      });
      expect(guest.status).toBe(201);
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
      expect(server.output()).toContain('shutdown complete');
    },
    3 * START_TIMEOUT_MS,
  );

  it(
    'warns loudly when rate limits are off',
    async () => {
      const server = await startAndStop([], { STAMPEDE_RATE_LIMITS: 'off' });
      expect(server.output()).toMatch(/RATE LIMITS ARE OFF/);
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
    },
    3 * START_TIMEOUT_MS,
  );

  it(
    'runs a cluster of workers on PostgreSQL + Redis, and replaces a worker that dies',
    async () => {
      const server = await startAndStop(['--workers', '2'], {
        DATABASE_URL: await createDatabase(inject('postgresUrl')),
        REDIS_URL: inject('redisUrl'),
        REDIS_KEY_PREFIX: `cli-${Date.now()}:`,
        JWT_SECRET: 'cluster-secret-that-is-at-least-32-characters',
      });
      await waitFor(async () => (server.output().match(/stampede is listening/g) ?? []).length === 2, START_TIMEOUT_MS, 'both workers to listen');
      const guest = await fetch(`http://127.0.0.1:${server.port}/api/auth/guest`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ nickname: 'worker' }),
      });
      const { token } = (await guest.json()) as { token: string };
      // WebSocket clients work across workers; long-polling is refused outright rather than flaky.
      const websocket = connect(`http://127.0.0.1:${server.port}`, { auth: { token }, transports: ['websocket'], reconnection: false });
      expect(await new Promise((resolve) => websocket.once('ready', resolve))).toMatchObject({ user: { isGuest: true } });
      websocket.disconnect();
      const polling = connect(`http://127.0.0.1:${server.port}`, { auth: { token }, transports: ['polling'], reconnection: false });
      await new Promise((resolve) => polling.once('connect_error', resolve));
      polling.disconnect();

      // A worker that dies is replaced.
      const listening = () => [...server.output().matchAll(/"pid":(\d+).*"msg":"stampede is listening"/g)].map((match) => Number(match[1]));
      const [victim] = listening();
      process.kill(victim!, 'SIGKILL');
      await waitFor(async () => listening().length === 3, START_TIMEOUT_MS, 'a replacement worker to listen');
      expect(server.output()).toMatch(/"code":null,"signal":"SIGKILL","restartInMs":250,"msg":"worker died; starting a new one"/);
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
    },
    3 * START_TIMEOUT_MS,
  );
});
