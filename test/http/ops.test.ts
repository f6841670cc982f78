// Health, readiness, metrics, the admin stats view and the API docs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestApp, type TestApp } from '../harness/app.js';

describe('ops endpoints', () => {
  let app: TestApp;
  let adminToken: string;
  beforeAll(async () => {
    app = await startTestApp({ env: { STAMPEDE_ADMIN_EMAIL: 'ops@example.com', STAMPEDE_ADMIN_PASSWORD: 'opspassword' } });
    const login = await app.request('POST', '/api/auth/login', { body: { email: 'ops@example.com', password: 'opspassword' } });
    adminToken = (await login.json()).token;
  });
  afterAll(() => app?.stop());

  it('answers liveness and readiness', async () => {
    expect(await (await app.request('GET', '/health')).json()).toEqual({ status: 'ok' });
    const ready = await app.request('GET', '/health/ready');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: 'ready',
      checks: { database: { kind: 'pglite', status: 'ok' }, redis: 'not-configured', breakers: { postgres: 'closed', redis: 'closed' } },
    });
  });

  it('exports the Prometheus metrics the operators need', async () => {
    await app.request('GET', '/api/me');
    const response = await app.request('GET', '/metrics');
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    for (const name of [
      'http_requests_total',
      'http_request_duration_seconds_bucket',
      'rate_limit_rejections_total',
      'circuit_breaker_state',
      'circuit_breaker_opens_total',
      'db_pool_connections',
      'cache_hits_total',
      'cache_misses_total',
      'websocket_connections',
      'job_queue_depth',
      'job_queue_failed',
      'nodejs_eventloop_lag_seconds',
    ]) {
      expect(text, name).toContain(name);
    }
    expect(text).toMatch(/http_requests_total\{method="GET",route="\/api\/me",status="401"\} \d+/);
    // One series per queue, maintained by the job adapter: the shared one and WhatsApp's two.
    expect(text.match(/^job_queue_depth\{queue="([^"]+)"/gm)?.sort()).toEqual([
      'job_queue_depth{queue="jobs"',
      'job_queue_depth{queue="whatsapp-game"',
      'job_queue_depth{queue="whatsapp-send"',
    ]);
  });

  it('shows the same figures as JSON to admins only', async () => {
    const player = await signUp(app);
    expect((await app.request('GET', '/api/admin/stats', { token: player.token })).status).toBe(403);
    expect((await app.request('GET', '/api/admin/stats')).status).toBe(401);
    const stats = await (await app.request('GET', '/api/admin/stats', { token: adminToken })).json();
    expect(stats).toMatchObject({
      breakers: { state: { postgres: 'closed', redis: 'closed' } },
      dbPool: { total: 1, idle: 1, waiting: 0 },
      websocketConnections: 0,
      storage: { database: 'pglite', redis: false },
    });
    expect(stats.requests.total).toBeGreaterThan(0);
    expect(stats.cache.misses['user-session']).toBeGreaterThan(0); // the guards' session lookups
  });

  it('lets admins inspect the dead-letter set and retry a failed job', async () => {
    let fail = true;
    const ran = new Set<string>();
    app.platform.jobs.handle('ops-test', async (data) => {
      if (fail) throw new Error('payment provider timed out');
      ran.add((data as { n: string }).n);
    });
    const id = await app.platform.jobs.add('ops-test', { n: 'first' }, { attempts: 1, jobId: 'ops-test-1' });

    const failedJobs = async () => (await app.request('GET', '/api/admin/jobs/failed?limit=10', { token: adminToken })).json();
    await expect.poll(async () => (await failedJobs()).jobs.map((job: { id: string }) => job.id)).toContain(id);
    const listed = await failedJobs();
    expect(listed.counts.failed).toBe(1);
    expect(listed.jobs[0]).toMatchObject({ id, name: 'ops-test', failedReason: 'payment provider timed out' });

    fail = false;
    const retried = await app.request('POST', `/api/admin/jobs/${id}/retry`, { token: adminToken });
    expect(retried.status).toBe(202);
    await expect.poll(() => ran.has('first')).toBe(true);
    expect((await failedJobs()).counts.failed).toBe(0);

    expect((await app.request('POST', '/api/admin/jobs/nope/retry', { token: adminToken })).status).toBe(404);
    const player = await signUp(app);
    expect((await app.request('GET', '/api/admin/jobs/failed', { token: player.token })).status).toBe(403);
  });

  it('answers CORS preflights for the configured origins', async () => {
    const preflight = await app.request('OPTIONS', '/api/me', {
      headers: { origin: 'https://board.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://board.example');
    const simple = await app.request('GET', '/health', { headers: { origin: 'https://board.example' } });
    expect(simple.headers.get('access-control-expose-headers')).toContain('ratelimit');
  });

  it('serves the OpenAPI document and the interactive docs', async () => {
    const spec = await (await app.request('GET', '/openapi.json')).json();
    expect(spec.openapi).toMatch(/^3\./);
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining(['/api/auth/signup', '/api/auth/login', '/api/auth/guest', '/api/me', '/api/users/{id}/role', '/health/ready']),
    );
    const docs = await app.request('GET', '/docs');
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('swagger');
  });

  it('documents the bearer requirement on exactly the guarded routes', async () => {
    const spec = await (await app.request('GET', '/openapi.json')).json();
    const security = (path: string, method: string) => spec.paths[path][method].security;
    for (const [path, method] of <Array<[string, string]>>[
      ['/api/me', 'get'],
      ['/api/users/{id}/role', 'put'],
      ['/api/events', 'post'],
      ['/api/actions/complete', 'post'],
      ['/api/admin/stats', 'get'],
    ]) {
      expect(security(path, method), `${method} ${path}`).toEqual([{ bearerAuth: [] }]);
    }
    for (const [path, method] of <Array<[string, string]>>[
      ['/api/auth/login', 'post'],
      ['/api/events', 'get'],
      ['/health/ready', 'get'],
    ]) {
      expect(security(path, method), `${method} ${path}`).toBeUndefined();
    }
  });
});
