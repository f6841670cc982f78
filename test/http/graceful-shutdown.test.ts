// Closing the server lets requests already in progress finish with their real answers.
import { describe, expect, it } from 'vitest';
import { startTestApp } from '../harness/app.js';

describe('graceful shutdown', () => {
  it('drains in-flight requests before closing pools', async () => {
    const app = await startTestApp();
    const inFlight = 20;
    let received = 0;
    const allReceived = new Promise<void>((resolve) =>
      app.app.server.on('request', () => {
        if (++received === inFlight) resolve();
      }),
    );
    // Sign-ups hash a password with scrypt, so they are still running when close() starts.
    const responses = Array.from({ length: inFlight }, (_, i) =>
      app.request('POST', '/api/auth/signup', { body: { handle: `drain${i}`, email: `drain${i}@example.com`, password: 'password123' } }),
    );
    await allReceived;
    const stopped = app.stop();
    const statuses = await Promise.all(responses.map(async (response) => (await response).status));
    await stopped;
    expect(statuses).toEqual(Array(inFlight).fill(201));
    await expect(fetch(`${app.url}/health`)).rejects.toThrow();
  });
});
