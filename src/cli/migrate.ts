// `stampede migrate`: applies pending migrations and exits (start does this too).
import type { Config } from '../config.js';
import { databaseOptions, openDatabase } from '../platform/db/client.js';
import { runMigrations } from '../platform/db/migrate.js';
import { createLogger } from '../platform/log.js';

export async function migrate(config: Config): Promise<void> {
  const database = await openDatabase({ ...databaseOptions(config), log: createLogger('warn') });
  try {
    const applied = await runMigrations(database);
    console.log(
      `${applied} migration${applied === 1 ? '' : 's'} applied to ${database.kind === 'pglite' ? `PGlite at ${config.dataDir}` : 'PostgreSQL'}`,
    );
  } finally {
    await database.close();
  }
}
