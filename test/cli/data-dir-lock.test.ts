// Two processes on one embedded data dir would each keep their own copy of the database and
// lose each other's writes. The second one, server or CLI, must refuse at once and say who
// holds the directory, except `admin create`, which goes through the running server's admin
// socket; once the holder is gone, the directory is free again.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MAIN, spawnStampede, type StampedeProcess } from '../harness/stampede-process.js';

const dataDir = mkdtempSync(path.join(tmpdir(), 'stampede-lock-cli-'));
const env = { STAMPEDE_DATA_DIR: dataDir, JWT_SECRET: 'data-dir-lock-secret-that-is-long-enough' };

function cli(args: string[]) {
  const { DATABASE_URL: _d, REDIS_URL: _r, ...inherited } = process.env;
  return spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], { env: { ...inherited, ...env }, encoding: 'utf8', timeout: 60_000 });
}

describe('one process per embedded data dir', () => {
  let first: StampedeProcess | undefined;
  afterAll(async () => {
    await first?.stop();
  });

  it('refuses a second server and the CLI while a server runs, naming its pid and port', async () => {
    first = await spawnStampede({ env });
    const holder = new RegExp(`data dir ${dataDir} is in use by pid ${first.child.pid} on port ${first.port}.*STAMPEDE_DATA_DIR`);

    const second = await spawnStampede({ env, waitReady: false });
    expect(await second.exited).toBe(2);
    expect(second.output()).toMatch(holder);
    expect(second.output()).not.toMatch(/\n\s+at /); // one line, no stack

    const migrate = cli(['migrate']);
    expect(migrate.status).toBe(2);
    expect(migrate.stderr).toMatch(holder);
    expect(first.alive()).toBe(true);
  });

  it('creates an admin through the running server, which can log in at once', async () => {
    const created = cli(['admin', 'create', '--email', 'boss@example.com', '--password', 'bosspassword']);
    expect(created.stderr).toBe('');
    expect(created.status).toBe(0);
    expect(created.stdout).toMatch(/^Created admin boss@example.com .*through the server running on this data dir/);
    const reset = cli(['admin', 'create', '--email', 'boss@example.com', '--password', 'newpassword']);
    expect(reset.stdout).toMatch(/^Updated admin boss@example.com/);
    const login = await fetch(`${first!.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'boss@example.com', password: 'newpassword' }),
    });
    expect(login.status).toBe(200);
    expect(((await login.json()) as { user: { role: string } }).user.role).toBe('admin');
  });

  it('frees the directory when the server stops', async () => {
    expect(await first!.stop()).toBe(0);
    expect(existsSync(path.join(dataDir, 'stampede.lock'))).toBe(false);
    const migrated = cli(['migrate']);
    expect(migrated.status).toBe(0);
  });

  it('takes over the lock of a server that was killed', async () => {
    const killed = await spawnStampede({ env });
    killed.child.kill('SIGKILL');
    await killed.exited;
    expect(existsSync(path.join(dataDir, 'stampede.lock'))).toBe(true);
    const migrated = cli(['migrate']);
    expect(migrated.status).toBe(0);
    expect(migrated.stdout).toMatch(new RegExp(`"stalePid":${killed.child.pid}.*took over the data dir lock`));
  });
});
