// `stampede start`: one process, or a node:cluster of workers sharing the port.
import cluster from 'node:cluster';
import type { Config } from '../config.js';
import { createLogger } from '../platform/log.js';
import { startServer } from '../server.js';
import { CliError } from './errors.js';
import { installLastResort } from './last-resort.js';
import { exitOnStartFailure } from './start-failure.js';
import { runPrimary } from './workers.js';

const WORKER_DRAIN_GRACE_MS = 1_000;

export async function start(config: Config, workers: number): Promise<void> {
  if (workers > 1) {
    if (!config.redisUrl || !config.databaseUrl) {
      throw new CliError(
        `--workers ${workers} needs REDIS_URL and DATABASE_URL: workers share rate limits, realtime rooms and data ` +
          'through PostgreSQL and Redis, which the embedded PGlite and in-process adapters cannot do.',
      );
    }
    if (cluster.isPrimary) return runPrimary(config, workers);
  }
  await runServer(config);
}

async function runServer(config: Config): Promise<void> {
  const log = createLogger(config.logLevel, cluster.isWorker ? { worker: cluster.worker?.id } : {});
  const lastResort = installLastResort(log, config.shutdownTimeoutMs);
  // A worker (ours or PM2's) is replaced while its siblings serve: drain its keep-alive clients first.
  const options = { websocketOnly: cluster.isWorker, drainGraceMs: cluster.isWorker ? WORKER_DRAIN_GRACE_MS : 0 };
  const server = await startServer(config, log, options).catch((error: unknown) => exitOnStartFailure(error, config, log));
  lastResort.drainWith(() => server.close());
  log.info(
    { url: server.url, docs: `${server.url}/docs`, database: server.platform.database.kind, redis: Boolean(config.redisUrl) },
    'stampede is listening',
  );
  // Ready: migrations done and the port open. PM2 (wait_ready) and the --workers primary wait
  // for this before they stop the process this one replaces.
  process.send?.('ready');

  const shutdown = (signal: string) => {
    log.info({ signal }, 'shutting down: draining requests, then closing sockets, queues and pools');
    const deadline = setTimeout(() => {
      log.error('shutdown took longer than SHUTDOWN_TIMEOUT_MS; exiting anyway');
      process.exit(1);
    }, config.shutdownTimeoutMs).unref();
    server.close().then(
      () => {
        clearTimeout(deadline);
        log.info('shutdown complete');
        process.exit(0);
      },
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}
