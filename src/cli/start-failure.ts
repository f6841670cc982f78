// A start that fails ends with one line on stderr saying what failed and what to do, and exit
// code 1. Operators read that line in `docker logs` or `kubectl logs`; a stack trace there
// buries it, so the stack goes to the debug log (LOG_LEVEL=debug) instead.
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { causeChain } from '../platform/causes.js';
import { DataDirInUseError, DataDirUnsafeError } from '../platform/db/data-dir.js';
import { pgErrorInfo } from '../platform/db/errors.js';

type StartConfig = Pick<Config, 'port' | 'host' | 'databaseUrl' | 'dataDir'>;

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET']);

interface SystemError {
  code?: unknown;
  syscall?: unknown;
  path?: unknown;
  message?: unknown;
}

/** The database as the operator configured it, without a password. */
function databaseName(config: StartConfig): string {
  if (!config.databaseUrl) return `the embedded database in ${config.dataDir}`;
  try {
    const url = new URL(config.databaseUrl);
    return `PostgreSQL at ${url.host}${url.pathname}`;
  } catch {
    return 'PostgreSQL (DATABASE_URL)';
  }
}

/** What failed and what to do, as one line. */
export function explainStartFailure(error: unknown, config: StartConfig): string {
  const chain = [...causeChain(error)] as SystemError[];
  const system = chain.find((e) => typeof e.code === 'string' && /^E[A-Z_]+$/.test(e.code));
  const code = system?.code as string | undefined;
  const innermost = chain.at(-1);
  const message = String(innermost?.message ?? error)
    .replace(/\s+/g, ' ')
    .trim();
  const database = databaseName(config);
  const reason = (() => {
    if (system?.syscall === 'listen' && code === 'EADDRINUSE') {
      return `port ${config.port} on ${config.host} is already in use. Stop what holds it, or set PORT to a free port.`;
    }
    if (system?.syscall === 'listen')
      return `cannot listen on ${config.host}:${config.port} (${message}). Set PORT or HOST to an address this process may bind.`;
    if (code && UNREACHABLE.has(code)) return `cannot reach ${database} (${message}). Check DATABASE_URL and that the server is running.`;
    if (typeof system?.path === 'string') return `cannot use ${system.path} (${message}). Check STAMPEDE_DATA_DIR and its permissions.`;
    const pg = pgErrorInfo(error)?.code;
    if (pg === '28P01' || pg === '28000') return `${database} refused the login (${message}). Check the user and password in DATABASE_URL.`;
    if (pg === '3D000') return `${database} has no such database (${message}). Create it, or fix the name in DATABASE_URL.`;
    if (pg) return `${database} refused a start-up statement (${message}). Run with LOG_LEVEL=debug for the statement.`;
    return `${message}. Run with LOG_LEVEL=debug for the details.`;
  })();
  return `stampede: could not start: ${reason}`;
}

/** Prints the one line, keeps the stack in the debug log, and exits 1. */
export function exitOnStartFailure(error: unknown, config: StartConfig, log: Logger): never {
  // Written for the operator already: main.ts prints it as it is, with the exit code for setup problems.
  if (error instanceof DataDirInUseError || error instanceof DataDirUnsafeError) throw error;
  log.debug({ err: error }, 'start failed');
  console.error(explainStartFailure(error, config));
  process.exit(1);
}
