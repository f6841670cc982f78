// An uncaught exception or unhandled rejection is logged with its context, what can be drained
// is drained, and the process exits 1 so its supervisor starts a fresh one: never swallowed.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const LAST_RESORT = path.resolve('src/cli/last-resort.ts');
const LOG = path.resolve('src/platform/log.ts');

function runFailing(failure: string) {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'stampede-last-resort-')), 'failing.ts');
  writeFileSync(
    file,
    `import { installLastResort } from ${JSON.stringify(LAST_RESORT)};
     import { createLogger } from ${JSON.stringify(LOG)};
     const lastResort = installLastResort(createLogger('info'), 5_000);
     lastResort.drainWith(async () => console.log('drained'));
     setTimeout(() => { ${failure} }, 10);
     setInterval(() => undefined, 1_000); // a server would keep the loop alive`,
  );
  return spawnSync(process.execPath, ['--import', 'tsx', file], { encoding: 'utf8', timeout: 30_000 });
}

/** The one fatal (level 60) log line. */
function fatalLine(stdout: string): unknown {
  const lines = stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { level: number });
  const fatal = lines.filter((line) => line.level === 60);
  expect(fatal).toHaveLength(1);
  return fatal[0];
}

describe('the last line of defence', () => {
  it('logs an uncaught exception, drains, and exits 1', () => {
    const result = runFailing(`throw new Error('boom in a timer');`);
    expect(result.status).toBe(1);
    expect(fatalLine(result.stdout)).toMatchObject({ kind: 'uncaughtException', err: { message: 'boom in a timer' } });
    expect(result.stdout).toContain('drained');
  });

  it('logs an unhandled rejection, drains, and exits 1', () => {
    const result = runFailing(`void Promise.reject(new Error('nobody caught this'));`);
    expect(result.status).toBe(1);
    expect(fatalLine(result.stdout)).toMatchObject({ kind: 'unhandledRejection', err: { message: 'nobody caught this' } });
    expect(result.stdout).toContain('drained');
  });
});
