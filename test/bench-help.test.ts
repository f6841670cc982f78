// The bench command's help is read by users: it names each scenario by what it does.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('npm run bench -- --help', () => {
  it('describes every scenario without internal references', () => {
    const help = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--help'], { encoding: 'utf8', timeout: 60_000 });
    expect(help.status).toBe(0);
    for (const scenario of ['actions', 'catalog', 'health', 'rush']) expect(help.stdout).toMatch(new RegExp(`^  ${scenario} +\\S`, 'm'));
    expect(help.stdout).not.toMatch(/issue\s*#?\d/i);
    // Clients like real ones: keyed POSTs by default, a cold start, one user's actions together.
    for (const flag of ['--idempotency <on|off>', '--cold', '--users <n>', '--per-user <n>']) expect(help.stdout).toContain(`  ${flag}`);
  });
});
