// Route rate-limit policies, their headers, the off switch, proxies and sharing across instances.
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../harness/app.js';

const apps: TestApp[] = [];
async function app(options: Parameters<typeof startTestApp>[0]) {
  const started = await startTestApp(options);
  apps.push(started);
  return started;
}
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.stop()));
});

const guest = (target: TestApp, headers: Record<string, string> = {}) =>
  target.request('POST', '/api/auth/guest', { body: { nickname: 'n' }, headers });

describe('rate limits', () => {
  it('answers 429 past the auth policy with Retry-After and the IETF RateLimit headers', async () => {
    const target = await app({ env: { RATE_LIMIT_AUTH: '3/15m' } });
    for (let i = 0; i < 3; i++) {
      const ok = await guest(target);
      expect(ok.status).toBe(201);
      expect(ok.headers.get('ratelimit-policy')).toBe('"auth";q=3;w=900');
      expect(ok.headers.get('ratelimit')).toMatch(new RegExp(`^"auth";r=${2 - i};t=\\d+$`));
    }
    const limited = await guest(target);
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(900);
    expect(limited.headers.get('ratelimit')).toMatch(/^"auth";r=0;t=\d+$/);
    expect((await limited.json()).code).toBe('RATE_LIMITED');
    const metrics = await (await target.request('GET', '/metrics')).text();
    expect(metrics).toMatch(/rate_limit_rejections_total\{policy="auth"\} 1/);
  });

  it('limits API calls per user and per IP', async () => {
    const target = await app({ env: { RATE_LIMIT_API_USER: '2/1m', RATE_LIMIT_API_IP: '1000/1m' } });
    const { token } = await (await guest(target)).json();
    expect((await target.request('GET', '/api/me', { token })).status).toBe(200);
    expect((await target.request('GET', '/api/me', { token })).status).toBe(200);
    const limited = await target.request('GET', '/api/me', { token });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('ratelimit-policy')).toBe('"api-user";q=2;w=60');
    // Another user from the same IP is still fine.
    const other = await (await guest(target)).json();
    expect((await target.request('GET', '/api/me', { token: other.token })).status).toBe(200);
  });

  it('does not limit health checks', async () => {
    const target = await app({ env: { RATE_LIMIT_API_IP: '1/1m' } });
    for (let i = 0; i < 5; i++) expect((await target.request('GET', '/health')).status).toBe(200);
  });

  it('switches every limit off with STAMPEDE_RATE_LIMITS=off', async () => {
    const target = await app({ env: { RATE_LIMIT_AUTH: '1/15m', STAMPEDE_RATE_LIMITS: 'off' } });
    for (let i = 0; i < 4; i++) {
      const response = await guest(target);
      expect(response.status).toBe(201);
      expect(response.headers.get('ratelimit')).toBeNull();
    }
  });

  it('keys per-IP limits on X-Forwarded-For only when TRUST_PROXY says so', async () => {
    const trusting = await app({ env: { RATE_LIMIT_AUTH: '1/15m', TRUST_PROXY: 'true' } });
    expect((await guest(trusting, { 'x-forwarded-for': '203.0.113.1' })).status).toBe(201);
    expect((await guest(trusting, { 'x-forwarded-for': '203.0.113.2' })).status).toBe(201);
    expect((await guest(trusting, { 'x-forwarded-for': '203.0.113.1' })).status).toBe(429);

    const direct = await app({ env: { RATE_LIMIT_AUTH: '1/15m' } });
    expect((await guest(direct, { 'x-forwarded-for': '203.0.113.1' })).status).toBe(201);
    expect((await guest(direct, { 'x-forwarded-for': '203.0.113.2' })).status).toBe(429);
  });

  it('shares limits between two instances on PostgreSQL + Redis', async () => {
    const redisKeyPrefix = `test:${randomUUID()}:`;
    const env = { RATE_LIMIT_AUTH: '4/15m' };
    const first = await app({ store: 'postgres', redis: true, redisKeyPrefix, env });
    const second = await app({ databaseUrl: first.platform.config.databaseUrl, redis: true, redisKeyPrefix, env });
    const statuses: number[] = [];
    for (const target of [first, second, first, second, first, second]) statuses.push((await guest(target)).status);
    expect(statuses).toEqual([201, 201, 201, 201, 429, 429]);
  });
});
