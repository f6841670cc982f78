// Assembles the platform: the record (PGlite or PostgreSQL), the ports (memory or Redis),
// breakers and metrics. Features receive this and never pick adapters themselves.
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { createBreakers, type Breakers } from './breakers.js';
import { databaseOptions, openDatabase, type Database, type DatabaseOptions } from './db/client.js';
import { runMigrations } from './db/migrate.js';
import { createMetrics, type Metrics } from './metrics.js';
import { createPorts, type Ports } from './ports.js';

export interface Platform extends Ports {
  config: Config;
  log: Logger;
  metrics: Metrics;
  breakers: Breakers;
  database: Database;
  jwtSecret: string;
}

export async function createPlatform(
  config: Config,
  log: Logger,
  options: Pick<DatabaseOptions, 'logQuery' | 'pgliteTemplate'> = {},
): Promise<Platform> {
  const metrics = createMetrics();
  // Unset, the lag would read 0: a replica that does not exist must not look caught up.
  if (!config.databaseReadUrl) metrics.registry.removeSingleMetric('db_replica_lag_seconds');
  const breakers = createBreakers(config, metrics);
  const database = await openDatabase({
    ...databaseOptions(config),
    breaker: breakers.postgres,
    log,
    onQuery: (seconds) => metrics.dbQueryDuration.observe(seconds),
    readReplica:
      config.databaseReadUrl && breakers.replica
        ? {
            url: config.databaseReadUrl,
            breaker: breakers.replica,
            ...config.readReplica,
            onRead: (server) => metrics.dbReads.inc({ server }),
          }
        : undefined,
    ...options,
  });
  try {
    const applied = await runMigrations(database);
    if (applied > 0) log.info({ applied }, 'database migrations applied');
  } catch (error) {
    await database.close();
    throw error;
  }
  const ports = await createPorts({
    redisUrl: config.redisUrl,
    redisKeyPrefix: config.redisKeyPrefix,
    breaker: breakers.redis,
    metrics,
    log,
  });
  const closePorts = ports.close;
  // Added onto the ports object rather than spread from it: spreading would read, and so open,
  // the ports that open on first use.
  return Object.assign(ports, {
    config,
    log,
    metrics,
    breakers,
    database,
    jwtSecret: config.jwtSecret ?? loadOrCreateJwtSecret(config.dataDir, log),
    close: async () => {
      await closePorts();
      await database.close();
    },
  });
}

/** Outside production a missing JWT_SECRET is generated once and kept, so tokens survive restarts. */
function loadOrCreateJwtSecret(dataDir: string, log: Logger): string {
  const file = path.join(dataDir, 'jwt-secret');
  if (existsSync(file)) {
    log.warn({ file }, 'JWT_SECRET is not set; using the generated secret kept in the data dir');
    return readFileSync(file, 'utf8').trim();
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  try {
    writeFileSync(file, secret, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // Another worker of this cluster wrote it first: use theirs.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return readFileSync(file, 'utf8').trim();
    throw error;
  }
  log.warn({ file }, 'JWT_SECRET is not set; generated one and saved it in the data dir. Set JWT_SECRET in production.');
  return secret;
}
