import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataDirInUseError, LOCK_FILE, lockDataDir } from './data-dir-lock.js';

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
