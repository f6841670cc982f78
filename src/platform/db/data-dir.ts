// The embedded database's directory: owner-only, and one writer.
//
// It holds password hashes, lottery seeds and session data, so it is readable by its owner
// alone. The top directory is 0700, which alone keeps every other user out of everything below
// it. The files are made 0600 too, at open and at close: PGlite creates its files 0666 whatever
// the umask, so a copy of the tree made with the modes kept would otherwise open them up.
//
// The embedded database has one writer. Each process opening PGlite keeps its own copy of the
// data in memory, so two processes on one data dir would each acknowledge writes that the other
// then overwrites. A lock file, held for the process's life, names the holder (pid and port) so
// that a second server or CLI command refuses at once and says who has the directory.
import {
  chmodSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';

export const LOCK_FILE = 'stampede.lock';

interface Holder {
  pid: number;
  port: number | null;
  command: string;
  startedAt: string;
}

export interface DataDirLock {
  file: string;
  /** Records the port once the server listens, for the message another process prints. */
  setPort(port: number): void;
  release(): void;
}

/** Lock files this process holds: a record naming our own pid is ours only if it is in here. */
const held = new Set<string>();

export class DataDirInUseError extends Error {
  override name = 'DataDirInUseError';
}

export class DataDirUnsafeError extends Error {
  override name = 'DataDirUnsafeError';
}

/**
 * Refuses a directory others may write to (they could swap the database under us), then makes
 * what is there owner-only, for installs made before this was enforced, and keeps every file
 * created from now on so.
 */
export function secureDataDir(dataDir: string): void {
  if (existsSync(dataDir)) {
    const mode = statSync(dataDir).mode & 0o777;
    if (mode & 0o022) {
      throw new DataDirUnsafeError(
        `the data dir ${dataDir} is writable by other users (mode ${mode.toString(8)}); make it owner-only: chmod 700 ${dataDir}`,
      );
    }
  }
  process.umask(0o077);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  ownerOnly(dataDir);
}

/** Directories 0700, files 0600, all the way down (symbolic links are left alone). */
export function ownerOnly(dir: string): void {
  chmodSync(dir, 0o700);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const target = path.join(dir, entry.name);
    if (entry.isDirectory()) ownerOnly(target);
    else if (!lstatSync(target).isSymbolicLink()) chmodSync(target, 0o600);
  }
}

export function lockDataDir(dataDir: string, log?: Logger): DataDirLock {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(dataDir, LOCK_FILE);
  const holder: Holder = { pid: process.pid, port: null, command: process.argv.slice(2).join(' '), startedAt: new Date().toISOString() };
  // Two attempts: the second follows the takeover of a stale lock.
  for (let attempt = 0; attempt < 2; attempt++) {
    if (createExclusively(file, holder)) {
      held.add(file);
      return {
        file,
        setPort(port) {
          holder.port = port;
          replace(file, holder);
        },
        release() {
          if (!held.delete(file)) return;
          if (readHolder(file)?.pid === process.pid) unlinkSync(file);
        },
      };
    }
    const current = readHolder(file);
    // Our own pid in a lock we do not hold is a previous life of ours (a container's pid 1).
    const live = current && (current.pid === process.pid ? held.has(file) : isAlive(current.pid));
    if (current && live) {
      const where = current.port === null ? '' : ` on port ${current.port}`;
      throw new DataDirInUseError(
        `the data dir ${dataDir} is in use by pid ${current.pid}${where} (${current.command || 'stampede'}); ` +
          'stop it, or use another STAMPEDE_DATA_DIR',
      );
    }
    takeOver(file, current, log);
  }
  throw new DataDirInUseError(`could not lock the data dir ${dataDir}: another process keeps taking ${file}`);
}

/** The whole record is written first and then linked into place, so no reader sees half of it. */
function createExclusively(file: string, holder: Holder): boolean {
  const draft = `${file}.${process.pid}`;
  writeFileSync(draft, JSON.stringify(holder), { mode: 0o600 });
  try {
    linkSync(draft, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    unlinkSync(draft);
  }
}

function replace(file: string, holder: Holder): void {
  const draft = `${file}.${process.pid}`;
  writeFileSync(draft, JSON.stringify(holder), { mode: 0o600 });
  renameSync(draft, file);
}

function readHolder(file: string): Holder | undefined {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<Holder>;
    return typeof parsed.pid === 'number' ? { port: null, command: '', startedAt: '', ...parsed, pid: parsed.pid } : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user, which still counts as holding the lock.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The holder died without releasing (kill -9, a crash, a power cut). The stale file is renamed
 * away before a new one is made. If another process took over between our read and our rename,
 * what we moved is its live lock: it goes back, and the next attempt finds that holder alive.
 */
function takeOver(file: string, stale: Holder | undefined, log?: Logger): void {
  const moved = `${file}.stale-${process.pid}`;
  try {
    renameSync(file, moved);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  try {
    if (readHolder(moved)?.pid !== stale?.pid) {
      restore(moved, file);
      return;
    }
    log?.warn({ file, stalePid: stale?.pid ?? null, staleSince: stale?.startedAt ?? null }, 'took over the data dir lock of a process that is gone');
  } finally {
    unlinkSync(moved);
  }
}

function restore(moved: string, file: string): void {
  try {
    linkSync(moved, file);
  } catch (error) {
    // A third process holds it by now: it is the holder the next attempt will find.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}
