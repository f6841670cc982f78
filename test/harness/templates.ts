// Migrated databases for test servers to start from, made once per run by the global setup:
// initialising an embedded database and applying every migration took most of each test
// server's start, and test files start hundreds of them.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import pg from 'pg';
import { openDatabase } from '../../src/platform/db/client.js';
import { runMigrations } from '../../src/platform/db/migrate.js';
import { startReaper } from './processes.js';

export const POSTGRES_TEMPLATE = 'stampede_migrated';

export interface Templates {
  /** A migrated PGlite data dir, as dumpDataDir writes it. */
  pgliteFile: string;
  destroy(): Promise<void>;
}

export async function createTemplates(postgresUrl: string): Promise<Templates> {
  const dir = mkdtempSync(path.join(tmpdir(), 'stampede-template-'));
  // Removed however the run ends, Ctrl-C included (global teardown does not run then).
  const reaper = startReaper({ dirs: [dir] });
  const pgliteDir = path.join(dir, 'pglite');
  const embedded = await openDatabase({ pgliteDir });
  try {
    await runMigrations(embedded);
  } finally {
    await embedded.close();
  }
  // Reopened bare to dump it: the migrated database as any new server would find it.
  const client = await PGlite.create(pgliteDir, { extensions: { pg_trgm } });
  const pgliteFile = path.join(dir, 'migrated.tar');
  try {
    writeFileSync(pgliteFile, Buffer.from(await (await client.dumpDataDir('none')).arrayBuffer()));
  } finally {
    await client.close();
  }

  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${POSTGRES_TEMPLATE}`);
  } finally {
    await admin.end();
  }
  const url = new URL(postgresUrl);
  url.pathname = `/${POSTGRES_TEMPLATE}`;
  const postgres = await openDatabase({ url: url.toString(), pool: { max: 1 } });
  try {
    await runMigrations(postgres);
  } finally {
    await postgres.close();
  }
  return { pgliteFile, destroy: () => reaper.release() };
}

let pgliteTemplate: Blob | undefined;

/** The migrated PGlite data dir, read once per test worker. */
export function migratedPglite(file: string): Blob {
  pgliteTemplate ??= new Blob([readFileSync(file)]);
  return pgliteTemplate;
}
