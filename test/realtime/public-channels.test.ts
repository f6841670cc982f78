// Big screens and public pages connect without a token: they may follow boards and event counts,
// nothing else, and one address may hold only so many such sockets.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { clientAddress } from '../../src/realtime/client-address.js';
import { DEFAULT_SOCKET_LIMITS } from '../../src/realtime/gateway.js';
import { cleanUp, client, connectAs, connectError, connected, nextEvent, record, request, startInstance, wsConnections } from './helpers.js';

afterEach(cleanUp);

async function anonymous(url: string, headers: Record<string, string> = {}) {
  const socket = client(url, { extraHeaders: headers });
  const ready = nextEvent(socket, 'ready');
  await connected(socket);
  expect(await ready).toEqual({ user: null, serverNow: expect.any(Number) });
  return socket;
}

const MAX_ANONYMOUS_SOCKETS_PER_ADDRESS = DEFAULT_SOCKET_LIMITS.anonymousPerAddress;

describe('anonymous sockets', () => {
  it('follow public boards and event counts', async () => {
    const { gateway, url } = await startInstance();
    const screen = await anonymous(url);
    expect(await request(screen, 'subscribe', 'board:global')).toEqual({ ok: true, channel: 'board:global' });
    expect(await request(screen, 'subscribe', 'event:42')).toEqual({ ok: true, channel: 'event:42' });

    const top = nextEvent(screen, 'leaderboard');
    gateway.toChannel('board:global', 'leaderboard', { top: [] });
    expect(await top).toEqual({ top: [] });
    const counts = nextEvent(screen, 'counts');
    gateway.toChannel('event:42', 'counts', { confirmed: 1 });
    expect(await counts).toEqual({ confirmed: 1 });
  });

  it('are refused user, game and poll channels, with UNAUTHENTICATED', async () => {
    const { url } = await startInstance();
    const screen = await anonymous(url);
    for (const channel of ['user:alice', 'game:1', 'poll:1']) {
      expect(await request(screen, 'subscribe', channel)).toMatchObject({ ok: false, code: 'UNAUTHENTICATED' });
    }
  });

  it('receive no user pushes, even for a user id they guess', async () => {
    const { gateway, url } = await startInstance();
    const screen = await anonymous(url);
    const alice = await connectAs(url, { id: 'alice', role: 'user' });
    const seenByScreen = record(screen, 'notice');
    const toAlice = nextEvent(alice, 'notice');
    gateway.toUser('alice', 'notice', { text: 'private' });
    await toAlice;
    // Both sockets are on one instance and one ordered path: a broadcast after the push reaches the
    // screen after the push would have.
    const marker = nextEvent(screen, 'marker');
    gateway.broadcast('marker', {});
    await marker;
    expect(seenByScreen).toEqual([]);
  });

  it(`are capped at ${MAX_ANONYMOUS_SOCKETS_PER_ADDRESS} per address; a slot frees on disconnect; signed-in sockets are not counted`, async () => {
    const { metrics, url } = await startInstance();
    const screens = [];
    for (let i = 0; i < MAX_ANONYMOUS_SOCKETS_PER_ADDRESS; i++) screens.push(anonymous(url));
    const connectedScreens = await Promise.all(screens);

    const refused = await connectError(client(url));
    expect(refused.data).toMatchObject({ code: 'TOO_MANY_CONNECTIONS' });
    await connectAs(url, { id: 'alice', role: 'user' });

    connectedScreens[0]!.disconnect();
    await vi.waitFor(async () => expect(await wsConnections(metrics)).toBe(MAX_ANONYMOUS_SOCKETS_PER_ADDRESS));
    await anonymous(url);
  });

  it('are counted per client behind a trusted proxy', async () => {
    const { url } = await startInstance({ clientAddress: clientAddress('127.0.0.1') });
    for (let i = 0; i < MAX_ANONYMOUS_SOCKETS_PER_ADDRESS; i++) await anonymous(url, { 'x-forwarded-for': '203.0.113.1' });
    expect((await connectError(client(url, { extraHeaders: { 'x-forwarded-for': '203.0.113.1' } }))).data).toMatchObject({
      code: 'TOO_MANY_CONNECTIONS',
    });
    await anonymous(url, { 'x-forwarded-for': '203.0.113.2' });
  });
});
