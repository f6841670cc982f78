import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { openDatabase } from './client.js';
import { DataDirInUseError, DataDirUnsafeError, LOCK_FILE, lockDataDir, secureDataDir } from './data-dir.js';
import { runMigrations } from './migrate.js';

const newDir = () => mkdtempSync(path.join(tmpdir(), 'stampede-lock-'));

/** A pid that was alive a moment ago and is not any more. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

describe('data dir lock', () => {
  it('is held once: a second taker is told who holds it, and it is free again once released', () => {
    const dir = newDir();
    const lock = lockDataDir(dir);
    lock.setPort(4321);
    const record = JSON.parse(readFileSync(path.join(dir, LOCK_FILE), 'utf8'));
    expect(record).toMatchObject({ pid: process.pid, port: 4321 });
    expect(statSync(path.join(dir, LOCK_FILE)).mode & 0o077).toBe(0);
    expect(() => lockDataDir(dir)).toThrow(DataDirInUseError);
    expect(() => lockDataDir(dir)).toThrow(`is in use by pid ${process.pid} on port 4321`);
    lock.release();
    expect(existsSync(path.join(dir, LOCK_FILE))).toBe(false);
    lockDataDir(dir).release();
  });

  it('refuses while another live process holds it', () => {
    const dir = newDir();
    // The parent of this test process is alive for as long as the test runs.
    writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify({ pid: process.ppid, port: 3000, command: 'start', startedAt: '' }));
    expect(() => lockDataDir(dir)).toThrow(new RegExp(`in use by pid ${process.ppid} on port 3000 .*STAMPEDE_DATA_DIR`));
  });

  it('takes over a lock whose process is gone, and logs it', () => {
    const dir = newDir();
    const stale = deadPid();
    writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify({ pid: stale, port: 3000, command: 'start', startedAt: 'then' }));
    const warnings: unknown[] = [];
    const log = { warn: (details: unknown) => warnings.push(details) } as never;
    const lock = lockDataDir(dir, log);
    expect(JSON.parse(readFileSync(path.join(dir, LOCK_FILE), 'utf8')).pid).toBe(process.pid);
    expect(warnings).toEqual([expect.objectContaining({ stalePid: stale })]);
    lock.release();
  });

  it('treats an unreadable record as stale', () => {
    const dir = newDir();
    writeFileSync(path.join(dir, LOCK_FILE), '{"pid":');
    lockDataDir(dir).release();
  });
});

/** Every file and directory under `dir` whose mode lets anyone but the owner in. */
function openToOthers(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((entry) => path.join(dir, entry))
    .filter((file) => statSync(file).mode & 0o077)
    .map((file) => `${file} ${(statSync(file).mode & 0o777).toString(8)}`);
}

describe('data dir permissions', () => {
  it('refuses a data dir that other users may write to, saying how to fix it', () => {
    const dir = newDir();
    chmodSync(dir, 0o777);
    expect(() => secureDataDir(dir)).toThrow(DataDirUnsafeError);
    expect(() => secureDataDir(dir)).toThrow(`chmod 700 ${dir}`);
  });

  it('keeps the embedded database owner-only, and tightens files an older install left open', async () => {
    const dir = newDir();
    chmodSync(dir, 0o755);
    mkdirSync(path.join(dir, 'old'), { mode: 0o755 });
    writeFileSync(path.join(dir, 'old', 'file'), 'x', { mode: 0o666 });
    chmodSync(path.join(dir, 'old', 'file'), 0o666);
    const database = await openDatabase({ pgliteDir: path.join(dir, 'pglite') });
    try {
      await runMigrations(database);
      await database.db.execute(sql`create table secrets (v text)`);
      await database.db.execute(sql`insert into secrets values ('hash')`);
    } finally {
      await database.close();
    }
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(readdirSync(path.join(dir, 'pglite')).length).toBeGreaterThan(5);
    expect(openToOthers(dir)).toEqual([]);
  });
});
