// Where a worker thread's script is and how to start it, from source (tests, the bench: .ts
// through tsx) and when built (.js).
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** The script `name` next to the module at `moduleUrl`, and the execArgv that can load it (piscina's form). */
export function workerFile(name: string, moduleUrl: string): { filename: string; execArgv: string[] } {
  const fromSource = moduleUrl.endsWith('.ts');
  return {
    filename: new URL(`./${name}${fromSource ? '.ts' : '.js'}`, moduleUrl).href,
    // From source the worker needs tsx to load TypeScript, unless the process already has it.
    execArgv: fromSource && !process.execArgv.includes('tsx') ? [...process.execArgv, '--import', 'tsx'] : process.execArgv,
  };
}

/**
 * Starts the script `name` next to the module at `moduleUrl` on a worker thread. From source it
 * is imported through tsx's API: `--import tsx` in a worker's execArgv registers the loader
 * asynchronously, after a TypeScript entry has already failed to load (measured on Node 20).
 */
export function startWorker(name: string, moduleUrl: string, options: WorkerOptions): Worker {
  const { filename } = workerFile(name, moduleUrl);
  if (!moduleUrl.endsWith('.ts')) return new Worker(new URL(filename), options);
  const load = `import('tsx/esm/api').then(({ tsImport }) => tsImport(${JSON.stringify(filename)}, ${JSON.stringify(moduleUrl)}))`;
  return new Worker(load, { ...options, eval: true });
}
