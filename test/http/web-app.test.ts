// The server serves the web app's build: hashed assets cached for good, index.html revalidated,
// client routes answered with index.html, and the API's own paths never swallowed by it.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../harness/app.js';

describe('web app serving', () => {
  let app: TestApp;
  let root: string;
  const shell = '<!doctype html><html><body><div id="root"></div><script type="module" src="/assets/index-abc123.js"></script></body></html>';

  beforeAll(async () => {
    // A stand-in build, so this test does not depend on `vite build` having run.
    root = mkdtempSync(path.join(tmpdir(), 'stampede-web-'));
    mkdirSync(path.join(root, 'assets'));
    writeFileSync(path.join(root, 'index.html'), shell);
    writeFileSync(path.join(root, 'assets', 'index-abc123.js'), 'console.log("app")');
    app = await startTestApp({ webRoot: root });
  });
  afterAll(async () => {
    await app?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('serves index.html at / and for client routes, never cached, under the CSP', async () => {
    for (const url of ['/', '/events/42', '/screen/board/global', '/organizer/events/x?tab=1']) {
      const response = await app.request('GET', url);
      expect(response.status, url).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      expect(response.headers.get('cache-control')).toBe('no-cache');
      expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(await response.text()).toBe(shell);
    }
  });

  it('caches hashed assets as immutable', async () => {
    const response = await app.request('GET', '/assets/index-abc123.js');
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });

  it('never answers the server paths with the app', async () => {
    for (const url of ['/api/nope', '/api', '/docs/nope', '/metrics/nope', '/health/nope', '/assets/missing.js']) {
      const response = await app.request('GET', url);
      expect(response.status, url).toBe(404);
      expect(response.headers.get('content-type'), url).toMatch(/^application\/problem\+json/);
    }
    // Socket.IO answers its own path (400 to a request that is no handshake).
    const socket = await app.request('GET', '/socket.io/nope');
    expect(socket.status).toBe(400);
    expect(socket.headers.get('content-type')).not.toMatch(/html/);
    expect((await app.request('GET', '/health')).headers.get('content-type')).toMatch(/json/);
    expect((await app.request('POST', '/events/42')).status).toBe(404);
  });
});
