// `stampede start --workers N`, the primary: forks N workers sharing the port and keeps N
// running. A worker that dies is replaced after a backoff that grows while workers keep dying
// young, so a fault that kills every worker (a bad DATABASE_URL) does not spin the CPU; when
// workers keep dying before they ever listen, the primary gives up with one line and exit 1.
// SIGHUP replaces the workers one at a time: a new worker must be ready before an old one drains.
import cluster, { type Worker } from 'node:cluster';
import type { Config } from '../config.js';
import { createLogger } from '../platform/log.js';

const BACKOFF_FIRST_MS = 250;
const BACKOFF_MAX_MS = 10_000;
/** A worker that ran this long was healthy: its death starts the backoff over. */
const HEALTHY_AFTER_MS = 30_000;
/** Workers in a row that die before listening; past this, retrying cannot help. */
const MAX_FAILED_STARTS = 5;

export function runPrimary(config: Config, workers: number): Promise<void> {
  const log = createLogger(config.logLevel, { role: 'primary' });
  let stopping = false;
  let youngDeaths = 0;
  let failedStarts = 0;
  const startedAt = new Map<number, number>();
  const listening = new Set<number>();
  const restarts = new Set<NodeJS.Timeout>();
  /** Old workers draining in a reload, and new ones not ready yet: neither is replaced when it exits. */
  const retiring = new Set<number>();
  const starting = new Set<number>();
  let reloading = false;

  const fork = () => {
    const worker = cluster.fork();
    startedAt.set(worker.id, Date.now());
    return worker;
  };
  /** Resolves true when the worker says 'ready' (start.ts), false if it exits first. */
  const ready = (worker: Worker) =>
    new Promise<boolean>((resolve) => {
      const onMessage = (message: unknown) => message === 'ready' && settle(true);
      const onExit = () => settle(false);
      const settle = (isReady: boolean) => {
        worker.off('message', onMessage);
        worker.off('exit', onExit);
        resolve(isReady);
      };
      worker.on('message', onMessage);
      worker.on('exit', onExit);
    });
  const reload = async () => {
    if (reloading || stopping) return;
    reloading = true;
    const old = Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => worker !== undefined);
    log.info({ workers: old.length }, 'SIGHUP: replacing workers one at a time');
    for (const worker of old) {
      if (stopping) break;
      const fresh = fork();
      starting.add(fresh.id);
      const isReady = await ready(fresh);
      starting.delete(fresh.id);
      if (!isReady) {
        log.error({ worker: fresh.id }, 'a new worker died before it was ready; keeping the old workers');
        break;
      }
      log.info({ ready: fresh.process.pid, draining: worker.process.pid }, 'new worker ready; draining the one it replaces');
      retiring.add(worker.id);
      const gone = new Promise((resolve) => worker.once('exit', resolve));
      worker.process.kill('SIGTERM'); // drains its requests, then exits
      await gone;
      retiring.delete(worker.id);
    }
    log.info('reload done');
    reloading = false;
  };
  const stop = (signal: NodeJS.Signals) => {
    stopping = true;
    for (const timer of restarts) clearTimeout(timer);
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
  };

  cluster.on('listening', (worker) => {
    listening.add(worker.id);
    failedStarts = 0;
  });
  cluster.on('exit', (worker: Worker, code, signal) => {
    if (retiring.has(worker.id) || starting.has(worker.id)) {
      startedAt.delete(worker.id);
      listening.delete(worker.id);
      return;
    }
    if (stopping) return;
    const lived = Date.now() - (startedAt.get(worker.id) ?? 0);
    youngDeaths = lived < HEALTHY_AFTER_MS ? youngDeaths + 1 : 1;
    failedStarts = listening.has(worker.id) ? 0 : failedStarts + 1;
    startedAt.delete(worker.id);
    listening.delete(worker.id);
    if (failedStarts >= MAX_FAILED_STARTS) {
      console.error(
        `stampede: workers keep dying at start (${failedStarts} in a row, the last with ${signal ? `signal ${signal}` : `exit code ${code}`}); ` +
          'giving up. The line each worker printed above says what failed.',
      );
      process.exitCode = 1;
      stop('SIGTERM');
      return;
    }
    const delayMs = Math.min(BACKOFF_FIRST_MS * 2 ** (youngDeaths - 1), BACKOFF_MAX_MS);
    log.warn({ worker: worker.id, code, signal, restartInMs: delayMs }, 'worker died; starting a new one');
    const timer = setTimeout(() => {
      restarts.delete(timer);
      fork();
    }, delayMs);
    restarts.add(timer);
  });
  process.once('SIGTERM', () => {
    log.info({ signal: 'SIGTERM' }, 'stopping workers');
    stop('SIGTERM');
  });
  process.on('SIGHUP', () => void reload());
  process.once('SIGINT', () => {
    log.info({ signal: 'SIGINT' }, 'stopping workers');
    stop('SIGINT');
  });
  log.info({ workers, port: config.port }, 'starting workers');
  for (let i = 0; i < workers; i++) fork();
  return new Promise((resolve) => {
    cluster.on('exit', () => {
      if (stopping && Object.keys(cluster.workers ?? {}).length === 0) resolve();
    });
  });
}
