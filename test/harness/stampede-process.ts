// `stampede start` as a child process, the way an operator runs it: its own process, its own
// port, output kept for the test to read and to print when something fails.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { freePort, waitFor } from './processes.js';

export const MAIN = path.resolve('src/main.ts');

export interface StampedeProcess {
  url: string;
  port: number;
  child: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  output(): string;
  alive(): boolean;
  /** SIGTERM, then SIGKILL if it has not exited within the timeout. */
  stop(timeoutMs?: number): Promise<number | null>;
}

export interface SpawnOptions {
  /** Added to this process's environment, less DATABASE_URL, REDIS_URL and PORT. */
  env: Record<string, string>;
  args?: string[];
  /** Another checkout's entry point (the start-up bench compares two). */
  main?: string;
  /** Waits for /health/ready; false returns as soon as the process is spawned. */
  waitReady?: boolean;
  readyTimeoutMs?: number;
}

export async function spawnStampede({
  env,
  args = ['start'],
  main = MAIN,
  waitReady = true,
  readyTimeoutMs = 60_000,
}: SpawnOptions): Promise<StampedeProcess> {
  const port = await freePort();
  const { DATABASE_URL: _d, REDIS_URL: _r, PORT: _p, ...inherited } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', main, ...args], {
    env: { ...inherited, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const alive = () => child.exitCode === null && child.signalCode === null;
  const url = `http://127.0.0.1:${port}`;
  const server: StampedeProcess = {
    url,
    port,
    child,
    exited,
    output: () => output,
    alive,
    async stop(timeoutMs = 15_000) {
      if (!alive()) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
  if (waitReady) await untilReady(server, readyTimeoutMs);
  return server;
}

/** Waits for /health/ready to answer 200; kills the process and throws with its output if it does not. */
export async function untilReady(server: StampedeProcess, timeoutMs = 60_000): Promise<void> {
  const died = server.exited.then((code) => {
    throw new Error(`stampede on port ${server.port} exited with code ${code} before it was ready`);
  });
  try {
    await Promise.race([
      waitFor(async () => (await fetch(`${server.url}/health/ready`)).ok, timeoutMs, `stampede on port ${server.port} to be ready`),
      died,
    ]);
  } catch (error) {
    server.child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}; its output:\n${server.output()}`, { cause: error });
  }
}

export interface LogLine {
  msg?: string;
  [field: string]: unknown;
}

/** The JSON log lines in a process's output; other lines (a one-line start failure) are skipped. */
export function logLines(output: string): LogLine[] {
  return output.split('\n').flatMap((line) => {
    if (!line.startsWith('{')) return [];
    try {
      return [JSON.parse(line) as LogLine];
    } catch {
      return [];
    }
  });
}
