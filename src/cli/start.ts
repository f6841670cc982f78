// `stampede start`: one process, or a node:cluster of workers sharing the port.
import cluster from 'node:cluster';
import type { Config } from '../config.js';
import { createLogger } from '../platform/log.js';
import { startServer } from '../server.js';
import { CliError } from './errors.js';
import { installLastResort } from './last-resort.js';

/** Restarting a worker that dies at once would spin; give up after this many quick deaths. */
const MAX_QUICK_RESTARTS = 5;
const QUICK_DEATH_MS = 5_000;

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
  const server = await startServer(config, log, { websocketOnly: cluster.isWorker });
  lastResort.drainWith(() => server.close());
  log.info({ url: server.url, docs: `${server.url}/docs`, database: server.platform.database.kind, redis: Boolean(config.redisUrl) }, 'stampede is listening');

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

function runPrimary(config: Config, workers: number): Promise<void> {
  const log = createLogger(config.logLevel, { role: 'primary' });
  let stopping = false;
  let quickDeaths = 0;
  const startedAt = new Map<number, number>();
  const fork = () => {
    const worker = cluster.fork();
    startedAt.set(worker.id, Date.now());
  };
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    const lived = Date.now() - (startedAt.get(worker.id) ?? 0);
    quickDeaths = lived < QUICK_DEATH_MS ? quickDeaths + 1 : 0;
    if (quickDeaths > MAX_QUICK_RESTARTS) {
      log.fatal('workers keep dying at start; giving up');
      process.exit(1);
    }
    log.warn({ worker: worker.id, code, signal }, 'worker died; starting a new one');
    fork();
  });
  const stop = (signal: NodeJS.Signals) => {
    stopping = true;
    log.info({ signal }, 'stopping workers');
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  log.info({ workers, port: config.port }, 'starting workers');
  for (let i = 0; i < workers; i++) fork();
  return new Promise((resolve) => {
    cluster.on('exit', () => {
      if (stopping && Object.keys(cluster.workers ?? {}).length === 0) resolve();
    });
  });
}
