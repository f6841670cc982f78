// Bad input gets a clear 4xx problem+json naming the field, never a 500.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, type TestResponse } from '../harness/app.js';

describe('problem+json errors', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ env: { BODY_LIMIT_BYTES: '2048' } });
  });
  afterAll(() => app?.stop());

  async function problem(response: TestResponse) {
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    return response.json();
  }

  it('names the missing and the wrong-typed field', async () => {
    const missing = await app.request('POST', '/api/auth/signup', { body: { handle: 'abc', password: 'password123' } });
    expect(missing.status).toBe(400);
    const body = await problem(missing);
    expect(body).toMatchObject({ code: 'VALIDATION_FAILED', status: 400, type: 'urn:stampede:problem:validation-failed' });
    expect(body.errors).toContainEqual(expect.objectContaining({ field: 'body.email' }));

    const wrongType = await app.request('POST', '/api/auth/guest', { body: { nickname: 42 } });
    expect(wrongType.status).toBe(400);
    expect((await problem(wrongType)).errors[0].field).toBe('body.nickname');
  });

  it('does not coerce body types', async () => {
    const response = await app.request('POST', '/api/auth/login', { body: { email: 'a@b.c', password: 12345678 } });
    expect(response.status).toBe(400);
  });

  it('rejects unknown properties', async () => {
    const response = await app.request('POST', '/api/auth/guest', { body: { nickname: 'x', role: 'admin' } });
    expect(response.status).toBe(400);
    expect((await problem(response)).errors[0].field).toBe('body.role');
  });

  it('answers malformed JSON, a wrong content type, an empty body and an oversized body with 4xx', async () => {
    const malformed = await app.request('POST', '/api/auth/guest', { body: '{"nickname": ', headers: { 'content-type': 'application/json' } });
    expect(malformed.status).toBe(400);
    expect((await problem(malformed)).code).toBe('MALFORMED_BODY');

    const text = await app.request('POST', '/api/auth/guest', { body: 'nickname=x', headers: { 'content-type': 'text/plain' } });
    expect(text.status).toBe(415);
    expect((await problem(text)).code).toBe('UNSUPPORTED_MEDIA_TYPE');

    const empty = await app.request('POST', '/api/auth/guest', { headers: { 'content-type': 'application/json' } });
    expect(empty.status).toBe(400);

    const huge = await app.request('POST', '/api/auth/guest', { body: { nickname: 'x'.repeat(5000) } });
    expect(huge.status).toBe(413);
    expect((await problem(huge)).code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('rejects prototype poisoning', async () => {
    const response = await app.request('POST', '/api/auth/guest', {
      body: '{"nickname":"x","__proto__":{"admin":true}}',
      headers: { 'content-type': 'application/json' },
    });
    expect(response.status).toBe(400);
  });

  it('answers unknown routes and bad params with problem+json', async () => {
    const route = await app.request('GET', '/api/nope');
    expect(route.status).toBe(404);
    expect((await problem(route)).code).toBe('ROUTE_NOT_FOUND');
  });

  it('tags every response with a request id, echoing the caller’s', async () => {
    const response = await app.request('GET', '/health', { headers: { 'x-request-id': 'trace-123' } });
    expect(response.headers.get('x-request-id')).toBe('trace-123');
    const generated = await app.request('GET', '/health');
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('sets security headers', async () => {
    const response = await app.request('GET', '/health');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('strict-transport-security')).toBeTruthy();
    // helmet's default policy, less the HTTPS upgrade that would blank /docs on a plain-HTTP LAN.
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(response.headers.get('content-security-policy')).not.toContain('upgrade-insecure-requests');
    // On errors too: the headers go out before any handler runs.
    const missing = await app.request('GET', '/api/no-such-route');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('x-content-type-options')).toBe('nosniff');
  });
});
