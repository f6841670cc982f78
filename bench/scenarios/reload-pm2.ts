// The reload scenario under PM2: deploy/pm2/ecosystem.config.cjs (cluster mode, wait_ready) on a
// throwaway PostgreSQL + Redis, steady GET /api/events, and `pm2 reload stampede` 2 s into the
// measured run. PM2 comes from npm through npx (pm2@7), with a PM2_HOME of its own that is
// removed afterwards. Runs the built server (dist/, from npm run build).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createDatabase, freePort, startPostgres, startRedis, waitFor } from '../../test/harness/processes.js';
import { onCleanup } from '../lib/cleanup.js';
import { runLoad } from '../lib/load.js';
import type { Scenario } from '../lib/scenario.js';

const run = promisify(execFile);
const ECOSYSTEM = path.resolve('deploy/pm2/ecosystem.config.cjs');

export const reloadPm2: Scenario = {
  description: 'the reload scenario under PM2 (pm2 reload with deploy/pm2/ecosystem.config.cjs): failed requests (goal 0)',
  async run({ options }) {
    const postgres = await startPostgres();
    onCleanup(() => postgres.destroy());
    const redis = await startRedis();
    onCleanup(() => redis.destroy());
    const home = mkdtempSync(path.join(tmpdir(), 'stampede-pm2-'));
    const port = await freePort();
    const env = {
      ...process.env,
      PM2_HOME: home,
      DATABASE_URL: await createDatabase(postgres.url),
      REDIS_URL: redis.url,
      JWT_SECRET: randomBytes(36).toString('base64url'),
      STAMPEDE_RATE_LIMITS: 'off',
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
    };
    const pm2 = (...args: string[]) => run('npx', ['--yes', 'pm2@7', ...args], { env, maxBuffer: 16 * 1024 * 1024 });
    onCleanup(async () => {
      await pm2('kill').catch(() => undefined);
      rmSync(home, { recursive: true, force: true });
    });
    await pm2('start', ECOSYSTEM);
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/health/ready`)).ok, 120_000, 'the PM2 cluster to be ready');
    let reloaded: Promise<unknown> | undefined;
    const signalled = setTimeout(() => (reloaded = pm2('reload', 'stampede')), (options.warmup + 2) * 1000);
    const url = `http://127.0.0.1:${port}`;
    const result = await runLoad({ url, path: '/api/events', duration: options.duration, connections: options.connections, warmup: options.warmup });
    clearTimeout(signalled);
    const reloadFinished = await Promise.race([
      reloaded?.then(
        () => true,
        () => false,
      ),
      new Promise((resolve) => setTimeout(() => resolve(false), 0)),
    ]);
    const failed = result.errors + result.non2xx;
    return [
      {
        name: 'reload (pm2)',
        method: 'GET',
        path: '/api/events',
        ...result,
        notes: [
          `failed requests during the reload: ${failed} (${result.errors} without an answer, ${result.non2xx} not 2xx) of ${result.totalRequests}`,
          reloadFinished ? 'pm2 reload finished during the run' : 'pm2 reload had not finished when the run ended: use a longer --duration',
        ],
      },
    ];
  },
};
