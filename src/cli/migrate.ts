// `stampede migrate`: applies pending migrations and exits (start does this too).
import type { Config } from '../config.js';
import { openDatabase } from '../platform/db/client.js';
import { runMigrations } from '../platform/db/migrate.js';
import path from 'node:path';

export async function migrate(config: Config): Promise<void> {
  const database = await openDatabase({ url: config.databaseUrl, pgliteDir: path.join(config.dataDir, 'pglite'), pool: config.db });
  try {
    await runMigrations(database);
    console.log(`Migrations applied to ${database.kind === 'pglite' ? `PGlite at ${config.dataDir}` : 'PostgreSQL'}`);
  } finally {
    await database.close();
  }
}
