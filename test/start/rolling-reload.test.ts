// `stampede start --workers 2` replaces its workers one at a time on SIGHUP, under steady load:
// each new worker is ready (it sent 'ready' after migrations and listen) before an old one
// starts draining, and no request fails.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDatabase, waitFor } from '../harness/processes.js';
import { logLines, spawnStampede, type StampedeProcess } from '../harness/stampede-process.js';

describe('stampede start --workers 2, SIGHUP', () => {
  let server: StampedeProcess;

  beforeAll(async () => {
    server = await spawnStampede({
      args: ['start', '--workers', '2'],
      env: {
        DATABASE_URL: await createDatabase(inject('postgresUrl')),
        REDIS_URL: inject('redisUrl'),
        REDIS_KEY_PREFIX: `reload:${randomUUID()}:`,
        JWT_SECRET: 'rolling-reload-secret-that-is-long-enough',
        STAMPEDE_RATE_LIMITS: 'off',
        // A worker starting on 2 shared cores lags the loop; shedding would answer 503 OVERLOADED,
        // which is load shedding's test, not this one's.
        MAX_EVENT_LOOP_DELAY_MS: '0',
        LOG_LEVEL: 'info',
      },
    });
    await waitFor(async () => listening().length === 2, 60_000, 'both workers to listen');
  }, 120_000);
  afterAll(() => server?.stop());

  const lines = () => logLines(server.output());
  const listening = () => lines().filter((line) => line.msg === 'stampede is listening');

  it('replaces every worker, one at a time, without a failed request', async () => {
    const before = listening().map((line) => line.pid as number);
    let done = false;
    const failures: string[] = [];
    let answered = 0;
    const client = async () => {
      while (!done) {
        try {
          const response = await fetch(`${server.url}/api/events`);
          await response.arrayBuffer();
          if (response.ok) answered++;
          else failures.push(`status ${response.status} ${response.headers.get('content-type')}`);
        } catch (error) {
          failures.push((error as Error).cause ? String((error as Error).cause) : (error as Error).message);
        }
      }
    };
    const load = Promise.all(Array.from({ length: 8 }, client));
    await waitFor(async () => answered > 50, 20_000, 'the load to run');
    server.child.kill('SIGHUP');
    await waitFor(async () => lines().some((line) => line.msg === 'reload done'), 120_000, 'the reload to finish');
    const afterReload = answered;
    await waitFor(async () => answered > afterReload + 50, 20_000, 'the load to run on the new workers');
    done = true;
    await load;
    // eslint-disable-next-line no-console -- the figure docs/operations.md reports
    console.log(`rolling reload: ${answered} requests answered, ${failures.length} failed`);

    expect(failures).toEqual([]);
    // Each old worker was sent SIGTERM only once its replacement was ready, one at a time: the
    // primary's own log says so in order (the workers' lines share the pipe in no fixed order).
    const replaced = lines().filter((line) => line.msg === 'new worker ready; draining the one it replaces');
    expect(replaced.map((line) => line.draining).sort()).toEqual([...before].sort());
    const fresh = listening()
      .map((line) => line.pid)
      .filter((pid) => !before.includes(pid as number));
    expect(replaced.map((line) => line.ready).sort()).toEqual([...fresh].sort());
    expect(listening().length).toBe(4);
    for (const pid of before) expect(() => process.kill(pid, 0)).toThrow();
  }, 240_000);
});
