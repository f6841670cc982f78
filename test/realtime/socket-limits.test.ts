// Socket.IO sits outside the HTTP limits, so the gateway caps sockets per user and per address
// and spends a handshake budget per address through the same rate-limiter port as HTTP.
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMetrics } from '../../src/platform/metrics.js';
import { MemoryRateLimiter } from '../../src/platform/rate-limit/memory.js';
import type { RateLimiter } from '../../src/platform/rate-limit/port.js';
import { handshakeLimiter } from '../../src/realtime/handshake-limit.js';
import { cleanUp, client, connectAs, connectError, connected, signToken, startInstance, wsConnections } from './helpers.js';

afterEach(cleanUp);

const alice = { id: 'alice', role: 'user' };
const bob = { id: 'bob', role: 'user' };
const silent = pino({ level: 'silent' });

describe('socket caps', () => {
  it('refuse a user past their cap with TOO_MANY_CONNECTIONS, count other users apart, and free a slot on disconnect', async () => {
    const { metrics, url } = await startInstance({ limits: { perUser: 2, perAddress: 0, anonymousPerAddress: 0 } });
    const first = await connectAs(url, alice);
    await connectAs(url, alice);

    const refused = await connectError(client(url, { auth: { token: signToken(alice) } }));
    expect(refused.data).toMatchObject({ code: 'TOO_MANY_CONNECTIONS' });
    await connectAs(url, bob);

    first.disconnect();
    await vi.waitFor(async () => expect(await wsConnections(metrics)).toBe(2));
    await connectAs(url, alice);
  });

  it('refuse an address past its cap whoever signs in, anonymous sockets included', async () => {
    const { url } = await startInstance({ limits: { perUser: 0, perAddress: 3, anonymousPerAddress: 0 } });
    await connectAs(url, alice);
    await connectAs(url, bob);
    const screen = client(url);
    await connected(screen);

    expect((await connectError(client(url, { auth: { token: signToken({ id: 'carol', role: 'user' }) } }))).data).toMatchObject({
      code: 'TOO_MANY_CONNECTIONS',
    });
    expect((await connectError(client(url))).data).toMatchObject({ code: 'TOO_MANY_CONNECTIONS' });
  });

  it('do not count a refused handshake against anyone', async () => {
    const { metrics, url } = await startInstance({ limits: { perUser: 1, perAddress: 2, anonymousPerAddress: 0 } });
    await connectAs(url, alice);
    // Refused on the user cap: the address slot it would have taken stays free for bob.
    expect((await connectError(client(url, { auth: { token: signToken(alice) } }))).data).toMatchObject({ code: 'TOO_MANY_CONNECTIONS' });
    await connectAs(url, bob);
    expect(await wsConnections(metrics)).toBe(2);
  });
});

describe('the handshake rate limit', () => {
  it('spends the rate-limiter port per address and refuses with RATE_LIMITED and a retry time once the budget is gone', async () => {
    const limiter = new MemoryRateLimiter();
    const policy = { name: 'socket-handshake', points: 3, durationSeconds: 60 };
    const { url } = await startInstance({ limitHandshake: handshakeLimiter(limiter, policy, createMetrics(), silent) });
    for (let i = 0; i < 3; i++) await connectAs(url, { id: `user-${i}`, role: 'user' });

    const refused = await connectError(client(url, { auth: { token: signToken(alice) } }));
    expect(refused.data).toMatchObject({ code: 'RATE_LIMITED' });
    expect((refused.data as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    // Spent before the token is checked: a flood of bad tokens costs no session lookups and is refused the same way.
    expect((await connectError(client(url, { auth: { token: 'forged' } }))).data).toMatchObject({ code: 'RATE_LIMITED' });
  });

  it('lets handshakes through when the limiter itself fails', async () => {
    const broken: RateLimiter = {
      consume: () => Promise.reject(new Error('redis down')),
      close: async () => {},
    };
    const policy = { name: 'socket-handshake', points: 1, durationSeconds: 60 };
    const { url } = await startInstance({ limitHandshake: handshakeLimiter(broken, policy, createMetrics(), silent) });
    await connectAs(url, alice);
    await connectAs(url, bob);
  });
});
