// 1,000 malformed, oversized and wrong-typed requests across the endpoints: none may get a 5xx,
// and every error must be problem+json.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestApp, type TestApp } from '../harness/app.js';

const ENDPOINTS: ReadonlyArray<readonly [string, string]> = [
  ['POST', '/api/auth/signup'],
  ['POST', '/api/auth/login'],
  ['POST', '/api/auth/guest'],
  ['GET', '/api/me'],
  ['PUT', '/api/users/:id/role'],
  ['GET', '/api/admin/stats'],
  ['GET', '/health/ready'],
  ['DELETE', '/api/me'],
  ['PATCH', '/api/auth/login'],
];

const jsonish = fc.oneof(
  fc.jsonValue(),
  fc.object(),
  fc.record(
    { handle: fc.anything(), email: fc.anything(), password: fc.anything(), nickname: fc.anything(), role: fc.anything() },
    { requiredKeys: [] },
  ),
  fc.record({ handle: fc.string(), email: fc.string(), password: fc.string() }),
  fc.record({ nickname: fc.string({ maxLength: 100 }) }),
);

const rawBody = fc.oneof(
  jsonish.map((value) => JSON.stringify(value)),
  fc.string(),
  fc.constantFrom('{', '[1,2', '{"a":}', 'null', '"str"', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{"x":1}}}', '\u0000'),
  fc.integer({ min: 70_000, max: 200_000 }).map((size) => JSON.stringify({ nickname: 'x'.repeat(size) })),
);

const request = fc.record({
  endpoint: fc.constantFrom(...ENDPOINTS),
  id: fc.oneof(fc.uuid(), fc.string({ maxLength: 40 }).map(encodeURIComponent), fc.constant('%E0%A4%A')),
  body: fc.option(rawBody, { nil: undefined }),
  contentType: fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1', ''),
  auth: fc.constantFrom('valid', 'none', 'garbage', 'Basic abc', 'Bearer '),
  idempotencyKey: fc.option(fc.oneof(fc.string({ maxLength: 300 }), fc.uuid()), { nil: undefined }),
  query: fc.option(fc.string({ maxLength: 30 }).map(encodeURIComponent), { nil: undefined }),
});

describe('malformed input', () => {
  let app: TestApp;
  let token: string;
  beforeAll(async () => {
    app = await startTestApp();
    token = (await signUp(app)).token;
  });
  afterAll(() => app?.stop());

  it('never answers 5xx to 1,000 bad requests', async () => {
    const samples = fc.sample(request, { numRuns: 1000, seed: 20261122 });
    const failures: string[] = [];
    for (let i = 0; i < samples.length; i += 20) {
      await Promise.all(
        samples.slice(i, i + 20).map(async (sample) => {
          const [method, template] = sample.endpoint;
          const url = template.replace(':id', sample.id) + (sample.query ? `?${sample.query}` : '');
          const headers: Record<string, string> = {};
          if (sample.contentType && sample.body !== undefined) headers['content-type'] = sample.contentType;
          if (sample.auth === 'valid') headers.authorization = `Bearer ${token}`;
          else if (sample.auth === 'garbage') headers.authorization = 'Bearer x.y.z';
          else if (sample.auth !== 'none') headers.authorization = sample.auth;
          if (sample.idempotencyKey !== undefined) {
            // Header values must be ByteStrings; strip what fetch itself would refuse to send.
            headers['idempotency-key'] = sample.idempotencyKey.replace(/[^\x20-\x7e]/g, '');
          }
          const response = await fetch(`${app.url}${url}`, { method, headers, body: method === 'GET' ? undefined : sample.body });
          const text = await response.text();
          if (response.status >= 500) failures.push(`${method} ${url} -> ${response.status} ${text.slice(0, 200)}`);
          else if (response.status >= 400 && !response.headers.get('content-type')?.startsWith('application/problem+json')) {
            failures.push(`${method} ${url} -> ${response.status} without problem+json`);
          }
        }),
      );
    }
    expect(failures).toEqual([]);
    expect((await app.request('GET', '/health')).status).toBe(200);
  });
});

describe.each(['pglite', 'postgres'] as const)('input only the database can refuse, on %s', (store) => {
  let app: TestApp;
  let token: string;
  beforeAll(async () => {
    app = await startTestApp({ store });
    token = (await signUp(app)).token;
  });
  afterAll(() => app?.stop());

  it('answers 400 VALIDATION_FAILED for a NUL in text and a number past a column, found by the spec fuzzer', async () => {
    for (const url of ['/api/events/a%00b', '/api/events?offset=1e%2B308']) {
      const response = await app.request('GET', url, { token });
      expect(response.status, url).toBe(400);
      expect((await response.json()).code).toBe('VALIDATION_FAILED');
    }
    const nickname = await app.request('PUT', '/api/me/settings', { token, body: { nickname: 'a\u0000b' } });
    expect(nickname.status).toBe(400);
  });
});
