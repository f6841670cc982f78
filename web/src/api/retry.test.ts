// 429/503 handling against a real local server: the same request (Idempotency-Key included) is
// sent again after Retry-After, and the busy notice is up while it waits and gone after.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { busy, fetchWithRetry, retryAfterSeconds } from './retry';

describe('retryAfterSeconds', () => {
  it('reads delta-seconds and HTTP dates, bounded, with a default', () => {
    expect(retryAfterSeconds('2')).toBe(2);
    expect(retryAfterSeconds('0.2')).toBe(1);
    expect(retryAfterSeconds('9999')).toBe(60);
    expect(retryAfterSeconds(new Date(10_000).toUTCString(), 5_000)).toBe(5);
    expect(retryAfterSeconds(null)).toBe(3);
    expect(retryAfterSeconds('soon')).toBe(3);
  });
});

describe('fetchWithRetry', () => {
  let server: Server;
  let url: string;
  const seen: Array<{ key: string | undefined; body: string }> = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        seen.push({ key: request.headers['idempotency-key'] as string | undefined, body });
        if (seen.length === 1) response.writeHead(429, { 'retry-after': '1' }).end('{"code":"RATE_LIMITED"}');
        else response.writeHead(201, { 'content-type': 'application/json' }).end('{"ok":true}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/events/1/registrations`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('waits Retry-After, showing the busy notice, then resends the same request', async () => {
    const notices: Array<number | null> = [];
    const unsubscribe = busy.subscribe(() => notices.push(busy.get()?.retryAt ?? null));
    const request = new Request(url, { method: 'POST', headers: { 'idempotency-key': 'intent-1', 'content-type': 'application/json' }, body: '{}' });
    const response = await fetchWithRetry(request);
    unsubscribe();

    expect(response.status).toBe(201);
    expect(seen).toEqual([
      { key: 'intent-1', body: '{}' },
      { key: 'intent-1', body: '{}' },
    ]);
    expect(notices).toHaveLength(2);
    expect(notices[0]).toEqual(expect.any(Number));
    expect(notices[1]).toBeNull();
  });
});
