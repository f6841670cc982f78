// Redis killed under a running server: rate limiting and caching fall back to memory, and
// requests keep succeeding. When Redis returns, the server uses it again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestApp, type TestApp } from '../harness/app.js';
import { startRedis, waitFor, type RedisServer } from '../harness/processes.js';

describe('Redis outage under a running server', () => {
  let redis: RedisServer;
  let app: TestApp;
  beforeAll(async () => {
    redis = await startRedis();
    app = await startTestApp({ store: 'postgres', redisUrl: redis.url, env: { RATE_LIMIT_API_USER: '1000/1m', BREAKER_HALF_OPEN_MS: '500' } });
  });
  afterAll(async () => {
    await app?.stop();
    await redis?.destroy();
  });

  it('keeps serving with in-process fallbacks, still limits, and reports itself degraded', async () => {
    const { token } = await signUp(app);
    expect((await app.request('GET', '/api/me', { token })).headers.get('ratelimit')).toMatch(/"api-user";r=\d+/);
    await redis.kill();

    for (let i = 0; i < 20; i++) {
      const me = await app.request('GET', '/api/me', { token });
      expect(me.status).toBe(200);
      // The insurance limiter still counts.
      expect(me.headers.get('ratelimit')).toMatch(/"api-user";r=\d+/);
    }
    const fresh = await signUp(app);
    expect((await app.request('GET', '/api/me', { token: fresh.token })).status).toBe(200);

    const ready = await app.request('GET', '/health/ready');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'degraded', checks: { redis: 'failed' } });
    const metrics = await (await app.request('GET', '/metrics')).text();
    expect(metrics).toMatch(/fallback_used_total\{port="(cache|rate-limit)"\} [1-9]/);

    await redis.start();
    await waitFor(
      async () => (await (await app.request('GET', '/health/ready')).json()).status === 'ready',
      15_000,
      'readiness after Redis returned',
    );
    expect((await app.request('GET', '/api/me', { token })).status).toBe(200);
  });
});
