// A restart under steady load: `stampede start --workers 2` on its own throwaway PostgreSQL +
// Redis takes GET /api/events from every connection, and gets SIGHUP 2 s into the measured run,
// which replaces its workers one at a time (src/cli/workers.ts). The figure is the number of
// requests that failed (no answer or not 2xx); the goal is 0. Use a --duration long enough
// for two workers to start on this machine (30 s or more).
import { randomBytes } from 'node:crypto';
import { createDatabase, startPostgres, startRedis } from '../../test/harness/processes.js';
import { logLines, spawnStampede } from '../../test/harness/stampede-process.js';
import { onCleanup } from '../lib/cleanup.js';
import { runLoad } from '../lib/load.js';
import type { Scenario } from '../lib/scenario.js';

const RELOAD_DONE = 'reload done';

export const reload: Scenario = {
  description: 'steady GET /api/events on --workers 2 (PostgreSQL + Redis), SIGHUP mid-run: failed requests (goal 0)',
  async run({ options }) {
    const postgres = await startPostgres();
    onCleanup(() => postgres.destroy());
    const redis = await startRedis();
    onCleanup(() => redis.destroy());
    const cluster = await spawnStampede({
      args: ['start', '--workers', '2'],
      env: {
        DATABASE_URL: await createDatabase(postgres.url),
        REDIS_URL: redis.url,
        JWT_SECRET: randomBytes(36).toString('base64url'),
        STAMPEDE_RATE_LIMITS: 'off',
        NODE_ENV: 'production',
        LOG_LEVEL: 'info',
      },
    });
    onCleanup(async () => {
      await cluster.stop();
    });
    const signalled = setTimeout(() => cluster.child.kill('SIGHUP'), (options.warmup + 2) * 1000);
    const result = await runLoad({
      url: cluster.url,
      path: '/api/events',
      duration: options.duration,
      connections: options.connections,
      warmup: options.warmup,
    });
    clearTimeout(signalled);
    const lines = logLines(cluster.output());
    const done = lines.some((line) => line.msg === RELOAD_DONE);
    const failed = result.errors + result.non2xx;
    return [
      {
        name: 'reload (--workers 2)',
        method: 'GET',
        path: '/api/events',
        ...result,
        notes: [
          `failed requests during the reload: ${failed} (${result.errors} without an answer, ${result.non2xx} not 2xx) of ${result.totalRequests}`,
          done
            ? `both workers replaced during the run (${lines.filter((line) => line.msg === 'stampede is listening').length - 2} new workers listening)`
            : 'the reload did not finish within the run: use a longer --duration',
        ],
      },
    ];
  },
};
