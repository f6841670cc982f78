// `stampede backup <file>` and `stampede restore <file>`. On PostgreSQL: pg_dump and pg_restore
// in the custom format; pg_dump reads one consistent snapshot, so a backup may be taken while
// instances serve. On the embedded PGlite: its data-dir dump (a gzipped tarball), taken with
// the data dir locked, so the server must be stopped; restore writes a data dir that must not
// exist yet.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import type { Config } from '../config.js';
import { lockDataDir, ownerOnly, secureDataDir } from '../platform/db/data-dir.js';
import { CliError } from './errors.js';

const run = promisify(execFile);

async function postgresTool(tool: 'pg_dump' | 'pg_restore', args: string[]): Promise<void> {
  try {
    await run(tool, args, { maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stderr?: string };
    if (failure.code === 'ENOENT')
      throw new CliError(`${tool} is not on PATH: install the PostgreSQL client tools (apt-get install -y postgresql-client).`);
    throw new CliError(`${tool} failed: ${(failure.stderr ?? failure.message).trim()}`);
  }
}

export async function backup(config: Config, file: string): Promise<void> {
  if (config.databaseUrl) {
    await postgresTool('pg_dump', ['--format=custom', '--no-owner', '--no-privileges', `--file=${file}`, `--dbname=${config.databaseUrl}`]);
    console.log(`backed up PostgreSQL to ${file} (pg_dump custom format)`);
    return;
  }
  const lock = lockDataDir(config.dataDir);
  try {
    const client = await PGlite.create(path.join(config.dataDir, 'pglite'));
    try {
      const dump = await client.dumpDataDir('gzip');
      writeFileSync(file, Buffer.from(await dump.arrayBuffer()), { mode: 0o600 });
    } finally {
      await client.close();
    }
  } finally {
    lock.release();
  }
  console.log(`backed up PGlite at ${config.dataDir} to ${file}`);
}

export async function restore(config: Config, file: string): Promise<void> {
  if (!existsSync(file)) throw new CliError(`no backup at ${file}`);
  if (config.databaseUrl) {
    // Into an empty database: --exit-on-error stops at the first object that already exists.
    await postgresTool('pg_restore', ['--no-owner', '--no-privileges', '--exit-on-error', `--dbname=${config.databaseUrl}`, file]);
    console.log(`restored ${file} into PostgreSQL`);
    return;
  }
  const dir = path.join(config.dataDir, 'pglite');
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new CliError(`${dir} already holds a database; restore into a new STAMPEDE_DATA_DIR`);
  }
  secureDataDir(config.dataDir);
  const lock = lockDataDir(config.dataDir);
  try {
    const client = await PGlite.create(dir, { loadDataDir: new Blob([readFileSync(file)]) });
    await client.close();
    ownerOnly(dir);
  } finally {
    lock.release();
  }
  console.log(`restored ${file} into PGlite at ${config.dataDir}`);
}
