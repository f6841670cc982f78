// `npx tsx bench/concurrent-start.ts [--instances 4] [--board-size 1000000] [--main <src/main.ts>]`:
// several instances started at the same moment on a throwaway PostgreSQL + Redis whose database
// holds a board of --board-size entries and whose Redis is empty, as a Deployment's replicas
// start after a Redis restart. Prints how long until each was ready, how many times the board
// was loaded into Redis, and the CPU the instances spent; then restarts one instance against
// the loaded Redis and prints the same. --main runs another checkout's entry point, to compare.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openDatabase } from '../src/platform/db/client.js';
import { runMigrations } from '../src/platform/db/migrate.js';
import { createDatabase, startPostgres, startRedis } from '../test/harness/processes.js';
import { logLines, spawnStampede, untilReady, type StampedeProcess } from '../test/harness/stampede-process.js';
import { seedBoard } from './scenarios/actions-seed.js';

const BOARD = 'bench';
const REBUILT = 'rank index rebuilt from PostgreSQL';
/** Logged at debug level when a rebuild (or any index call) failed and PostgreSQL answered instead. */
const FELL_BACK = 'rank index failed; answering from PostgreSQL';
const READY_TIMEOUT_MS = 600_000;
const progress = (message: string) => console.error(`bench: ${message}`);

const { values } = parseArgs({
  options: {
    instances: { type: 'string', default: '4' },
    'board-size': { type: 'string', default: '1000000' },
    main: { type: 'string', default: path.resolve('src/main.ts') },
  },
});
const instances = Number(values.instances);
const boardSize = Number(values['board-size']);

/** User + system CPU seconds the process has used so far, from /proc (Linux). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function startTogether(count: number, env: Record<string, string>): Promise<Array<{ instance: StampedeProcess; readyMs: number }>> {
  const started = performance.now();
  const spawned = await Promise.all(Array.from({ length: count }, () => spawnStampede({ env, main: values.main, waitReady: false })));
  return Promise.all(
    spawned.map(async (instance) => {
      await untilReady(instance, READY_TIMEOUT_MS);
      return { instance, readyMs: performance.now() - started };
    }),
  );
}

function report(label: string, started: Array<{ instance: StampedeProcess; readyMs: number }>) {
  const logs = started.flatMap(({ instance }) => logLines(instance.output()).filter((line) => line.board === BOARD));
  const rebuilds = logs.filter((line) => line.msg === REBUILT);
  const failures = logs.filter((line) => line.msg === FELL_BACK).length;
  const cpu = started.reduce((sum, { instance }) => sum + cpuSeconds(instance.child.pid!), 0);
  // Older versions log no duration.
  const durations = rebuilds.map((line) => (typeof line.ms === 'number' ? ` in ${(line.ms / 1000).toFixed(1)} s` : ''));
  console.log(
    `${label}: ready after ${started.map(({ readyMs }) => `${(readyMs / 1000).toFixed(1)} s`).join(', ')}; ` +
      `board of ${boardSize.toLocaleString('en-US')} loaded into Redis ${rebuilds.length} time(s)${durations.filter(Boolean).join(',')}; ` +
      `${failures} failed load(s) or read(s) answered from PostgreSQL; ${cpu.toFixed(1)} CPU s across the instances since they started`,
  );
}

const [postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
const running: StampedeProcess[] = [];
try {
  const databaseUrl = await createDatabase(postgres.url);
  // Seeding statements insert 50,000 rows each: longer than the server's default statement timeout.
  const database = await openDatabase({ url: databaseUrl, pool: { statementTimeoutMs: 3_600_000 } });
  try {
    await runMigrations(database);
    progress(`seeding ${boardSize.toLocaleString('en-US')} entries on board ${BOARD}`);
    await seedBoard(database, BOARD, boardSize, progress);
  } finally {
    await database.close();
  }
  const env = {
    DATABASE_URL: databaseUrl,
    REDIS_URL: redis.url,
    JWT_SECRET: 'concurrent-start-bench-secret-long-enough',
    LOG_LEVEL: 'debug',
    STAMPEDE_RATE_LIMITS: 'off',
  };

  progress(`starting ${instances} instances at once against ${values.main}`);
  const together = await startTogether(instances, env);
  running.push(...together.map(({ instance }) => instance));
  report(`${instances} instances started together on an empty Redis`, together);

  progress('restarting one instance against the loaded Redis');
  await running.shift()!.stop();
  const restarted = await startTogether(1, env);
  running.push(restarted[0]!.instance);
  report('1 instance restarted against the loaded Redis', restarted);
} finally {
  await Promise.all(running.map((instance) => instance.stop()));
  await Promise.all([postgres.destroy(), redis.destroy()]);
}
