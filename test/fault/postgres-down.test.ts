// PostgreSQL stopped under a running server: the breaker opens, requests fail fast with 503 +
// Retry-After, and service comes back by itself when PostgreSQL does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../harness/app.js';
import { createDatabase, startPostgres, waitFor, type PostgresServer } from '../harness/processes.js';

describe('PostgreSQL outage', () => {
  let postgres: PostgresServer;
  let app: TestApp;
  beforeAll(async () => {
    postgres = await startPostgres();
    app = await startTestApp({ databaseUrl: await createDatabase(postgres.url), env: { BREAKER_HALF_OPEN_MS: '1000' } });
  });
  afterAll(async () => {
    await app?.stop();
    await postgres?.destroy();
  });

  const login = () => app.request('POST', '/api/auth/login', { body: { email: 'nobody@example.com', password: 'whatever1' } });

  it('answers 503 fast while PostgreSQL is down and recovers by itself', async () => {
    expect((await login()).status).toBe(401);
    await postgres.stop();

    // The failures that open the breaker are already 503s, never 500s.
    for (let i = 0; i < 5; i++) {
      const response = await login();
      expect(response.status).toBe(503);
      expect((await response.json()).code).toBe('DATABASE_UNAVAILABLE');
    }
    expect(app.platform.breakers.postgres.state()).toBe('open');

    const started = performance.now();
    const fast = await login();
    const elapsed = performance.now() - started;
    expect(fast.status).toBe(503);
    expect(Number(fast.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(elapsed).toBeLessThan(100);

    const ready = await app.request('GET', '/health/ready');
    expect(ready.status).toBe(503);
    expect(await (await app.request('GET', '/health')).json()).toEqual({ status: 'ok' });
    const metrics = await (await app.request('GET', '/metrics')).text();
    expect(metrics).toMatch(/circuit_breaker_opens_total\{breaker="postgres"\} [1-9]/);

    await postgres.start();
    const seen: string[] = [];
    await waitFor(
      async () => {
        const response = await login();
        seen.push(`${response.status} ${app.platform.breakers.postgres.state()} ${(await response.text()).slice(0, 80)}`);
        return response.status === 401;
      },
      15_000,
      'the server to recover after PostgreSQL came back',
    ).catch((error) => {
      throw new Error(`${error.message}; last answers:\n${seen.slice(-5).join('\n')}`);
    });
    expect(app.platform.breakers.postgres.state()).toBe('closed');
    expect((await app.request('GET', '/health/ready')).status).toBe(200);
  });
});
