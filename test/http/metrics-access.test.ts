// /metrics is not for everyone: on the public port a scraper on this machine, or one with
// METRICS_TOKEN; through a proxy (X-Forwarded-For) the token is needed; METRICS_PORT serves
// /metrics alone on a port of its own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../harness/app.js';

const TOKEN = 'scrape-token-for-the-metrics-test';

describe('who may scrape /metrics', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ env: { METRICS_TOKEN: TOKEN, METRICS_PORT: '0' } });
  });
  afterAll(() => app?.stop());

  it('serves a scraper on this machine', async () => {
    const response = await app.request('GET', '/metrics');
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('http_requests_total');
  });

  it('serves only the metrics named, in the order asked, leaving unknown names out', async () => {
    const response = await app.request('GET', '/metrics?name=nodejs_eventloop_lag_seconds,no_such_metric,nodejs_eventloop_lag_p99_seconds');
    expect(response.status).toBe(200);
    const names = [...(await response.text()).matchAll(/^# TYPE (\S+)/gm)].map((match) => match[1]);
    expect(names).toEqual(['nodejs_eventloop_lag_seconds', 'nodejs_eventloop_lag_p99_seconds']);
    expect((await app.request('GET', '/metrics?name=bad%20name')).status).toBe(400);
  });

  it('refuses a request relayed by a proxy unless it presents the token', async () => {
    const proxied = { 'x-forwarded-for': '203.0.113.9' };
    const refused = await app.request('GET', '/metrics', { headers: proxied });
    expect(refused.status).toBe(401);
    expect((await refused.json()).code).toBe('UNAUTHENTICATED');
    expect((await app.request('GET', '/metrics', { headers: { ...proxied, authorization: 'Bearer wrong-token-of-the-same-size!!!!' } })).status).toBe(
      401,
    );
    expect((await app.request('GET', '/metrics', { headers: { ...proxied, authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
  });

  it('serves /metrics, and nothing else, on METRICS_PORT', async () => {
    const base = `http://127.0.0.1:${app.metricsPort}`;
    const scraped = await fetch(`${base}/metrics`);
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toContain('circuit_breaker_state');
    expect((await fetch(`${base}/api/me`)).status).toBe(404);
  });
});
