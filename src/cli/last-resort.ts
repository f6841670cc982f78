// The last line of defence. An exception nobody caught means the process's state can no longer
// be trusted: log it with its context, drain what can still be drained (in-flight requests and
// batches), and exit non-zero so that the supervisor (--workers, PM2, systemd, Kubernetes)
// starts a fresh process. Swallowing it would keep a broken process serving.
import type { Logger } from 'pino';

export interface LastResort {
  /** What to drain before exiting, once there is a server to drain. */
  drainWith(drain: () => Promise<void>): void;
}

export function installLastResort(log: Logger, drainTimeoutMs: number): LastResort {
  let drain: () => Promise<void> = async () => undefined;
  let exiting = false;
  const fail = (kind: 'uncaughtException' | 'unhandledRejection') => (error: unknown) => {
    log.fatal({ err: error, kind }, `${kind}: draining, then exiting with code 1 so the supervisor restarts this process`);
    if (exiting) return;
    exiting = true;
    setTimeout(() => process.exit(1), drainTimeoutMs).unref();
    drain()
      .catch((drainError: unknown) => log.error({ err: drainError }, 'draining after a fatal error failed'))
      .finally(() => process.exit(1));
  };
  process.on('uncaughtException', fail('uncaughtException'));
  process.on('unhandledRejection', fail('unhandledRejection'));
  return { drainWith: (next) => (drain = next) };
}
