// The gateway on a real HTTP server with real socket.io clients, in-memory adapter.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AppError } from '../../src/errors.js';
import { MAX_SUBSCRIPTIONS_PER_SOCKET } from '../../src/realtime/gateway.js';
import {
  cleanUp,
  client,
  connectAs,
  connectError,
  connected,
  flush,
  nextEvent,
  record,
  request,
  signToken,
  startInstance,
  wsConnections,
} from './helpers.js';

const alice = { id: 'alice', role: 'user' };
const bob = { id: 'bob', role: 'user' };

afterEach(cleanUp);

describe('handshake', () => {
  it('accepts a valid token, joins the user channel and tracks the connection gauge', async () => {
    const { gateway, metrics, url } = await startInstance();
    const ready = new Promise((resolve) => client(url, { auth: { token: signToken(alice) } }).once('ready', resolve));
    expect(await ready).toEqual({ user: { ...alice, isGuest: false }, serverNow: expect.any(Number) });

    const socket = await connectAs(url, alice);
    expect(await wsConnections(metrics)).toBe(2);
    const notice = nextEvent(socket, 'notice');
    gateway.toUser('alice', 'notice', { text: 'hi' });
    expect(await notice).toEqual({ text: 'hi' });

    socket.disconnect();
    await vi.waitFor(async () => expect(await wsConnections(metrics)).toBe(1));
  });

  it('takes the token from an Authorization header or the query string too', async () => {
    const { url } = await startInstance();
    await connected(client(url, { extraHeaders: { authorization: `Bearer ${signToken(alice)}` } }));
    await connected(client(url, { query: { token: signToken({ ...bob, isGuest: true }) } }));
  });

  it('refuses a bad token with INVALID_TOKEN rather than treating the socket as anonymous', async () => {
    const { metrics, url } = await startInstance();
    const forged = `${signToken(alice).split('.')[0]}.${signToken(bob).split('.')[1]}`;
    for (const token of [forged, 'garbage']) {
      const invalid = await connectError(client(url, { auth: { token } }));
      expect(invalid.data).toMatchObject({ code: 'INVALID_TOKEN' });
    }
    expect(await wsConnections(metrics)).toBe(0);
  });

  it("passes on an AppError's code from verifyToken, and survives one that throws synchronously", async () => {
    const { url } = await startInstance({
      verifyToken: (token) => {
        if (token === 'sync') throw new Error('not even a promise');
        return Promise.reject(new AppError('DATABASE_UNAVAILABLE'));
      },
    });
    const unavailable = await connectError(client(url, { auth: { token: 'any' } }));
    expect(unavailable.data).toMatchObject({ code: 'DATABASE_UNAVAILABLE' });
    const sync = await connectError(client(url, { auth: { token: 'sync' } }));
    expect(sync.data).toMatchObject({ code: 'INVALID_TOKEN' });
  });
});

describe('channels', () => {
  it('delivers broadcasts to subscribers, and stops after unsubscribe', async () => {
    const { gateway, url } = await startInstance();
    const socket = await connectAs(url, alice);
    const scores = record(socket, 'score');

    gateway.toChannel('board:global', 'score', 0);
    expect(await request(socket, 'subscribe', 'board:global')).toEqual({ ok: true, channel: 'board:global' });
    gateway.toChannel('board:global', 'score', 1);
    gateway.toChannel('board:other', 'score', 2);
    await flush(gateway, socket, alice.id);
    expect(scores).toEqual([1]);

    expect(await request(socket, 'unsubscribe', 'board:global')).toEqual({ ok: true, channel: 'board:global' });
    gateway.toChannel('board:global', 'score', 3);
    await flush(gateway, socket, alice.id);
    expect(scores).toEqual([1]);
  });

  it('broadcasts to every connected client, subscribed or not', async () => {
    const { gateway, url } = await startInstance();
    const [onAlice, onBob] = await Promise.all([connectAs(url, alice), connectAs(url, bob)]);
    const heard = Promise.all([nextEvent(onAlice, 'notice'), nextEvent(onBob, 'notice')]);
    gateway.broadcast('notice', 'maintenance at noon');
    expect(await heard).toEqual(['maintenance at noon', 'maintenance at noon']);
  });

  it('explains each refusal', async () => {
    const { url } = await startInstance();
    const socket = await connectAs(url, alice);
    expect(await request(socket, 'subscribe', 'nonsense')).toMatchObject({ ok: false, code: 'INVALID_CHANNEL' });
    expect(await request(socket, 'subscribe', 'vault:1')).toMatchObject({ ok: false, code: 'UNKNOWN_CHANNEL_KIND' });
    const foreign = await request(socket, 'subscribe', 'user:bob');
    expect(foreign).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(foreign.ok === false && foreign.message).toContain('user:bob');
    expect(await request(socket, 'subscribe', 'user:alice')).toEqual({ ok: true, channel: 'user:alice' });
    expect(await request(socket, 'unsubscribe', 'user:alice')).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(await request(socket, 'unsubscribe', 42)).toMatchObject({ ok: false, code: 'INVALID_CHANNEL' });
  });

  it(`caps subscriptions at ${MAX_SUBSCRIPTIONS_PER_SOCKET} per socket, not counting the user channel`, async () => {
    const { url } = await startInstance();
    const socket = await connectAs(url, alice);
    const names = Array.from({ length: MAX_SUBSCRIPTIONS_PER_SOCKET }, (_, i) => `event:${i}`);
    // Sent concurrently, so the cap must hold across overlapping authorizations.
    const acks = await Promise.all([...names, 'event:over'].map((name) => request(socket, 'subscribe', name)));
    expect(acks.filter((ack) => ack.ok)).toHaveLength(MAX_SUBSCRIPTIONS_PER_SOCKET);
    expect(acks.at(-1)).toMatchObject({ ok: false, code: 'TOO_MANY_SUBSCRIPTIONS' });

    expect(await request(socket, 'subscribe', 'event:0')).toEqual({ ok: true, channel: 'event:0' });
    expect(await request(socket, 'subscribe', 'user:alice')).toMatchObject({ ok: true });
    await request(socket, 'unsubscribe', 'event:0');
    expect(await request(socket, 'subscribe', 'event:over')).toEqual({ ok: true, channel: 'event:over' });
  });

  it('uses authorizers that features register, and survives one that throws', async () => {
    const { gateway, url } = await startInstance();
    gateway.channels.register('team', async (user, teamId) => teamId === `of-${user?.id}`);
    gateway.channels.register('flaky', () => {
      throw new Error('store unavailable');
    });
    const socket = await connectAs(url, alice);
    expect(await request(socket, 'subscribe', 'team:of-alice')).toMatchObject({ ok: true });
    expect(await request(socket, 'subscribe', 'team:of-bob')).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(await request(socket, 'subscribe', 'flaky:1')).toMatchObject({ ok: false, code: 'INTERNAL' });
    expect(socket.connected).toBe(true);
  });

  it('shrugs off garbage payloads and missing acks', async () => {
    const { gateway, metrics, url } = await startInstance();
    const socket = await connectAs(url, alice);
    socket.emit('subscribe');
    socket.emit('subscribe', 42);
    socket.emit('subscribe', { channel: 'event:1' }, [1, 2], null);
    socket.emit('unsubscribe', null);
    socket.emit('subscribe', 'event:no-ack');
    socket.emit('no-such-event', 'x');
    expect(await socket.timeout(5_000).emitWithAck('subscribe')).toMatchObject({ ok: false, code: 'INVALID_CHANNEL' });
    expect(await request(socket, 'subscribe', { channel: 'event:1' })).toMatchObject({ ok: false, code: 'INVALID_CHANNEL' });
    expect(await request(socket, 'subscribe', ['event:1'])).toMatchObject({ ok: false, code: 'INVALID_CHANNEL' });

    // The ack-less subscribe still took effect, and the socket still works.
    const pings = record(socket, 'ping');
    gateway.toChannel('event:no-ack', 'ping', 1);
    await flush(gateway, socket, alice.id);
    expect(pings).toEqual([1]);
    expect(socket.connected).toBe(true);
    expect(await wsConnections(metrics)).toBe(1);
  });

  it('refuses to broadcast to a malformed channel name', async () => {
    const { gateway } = await startInstance();
    expect(() => gateway.toChannel('no-colon', 'x', 1)).toThrow(TypeError);
  });
});

describe('connection state recovery', () => {
  it('replays what a briefly dropped socket missed, with its rooms intact', async () => {
    const { gateway, url } = await startInstance();
    // Nothing but `ready` has reached this socket before the drop: that alone must be enough.
    const socket = await connectAs(url, alice);
    await request(socket, 'subscribe', 'game:7');
    const scores = record(socket, 'score');

    const gone = gateway.disconnection(socket.id!);
    socket.io.engine.close();
    const reason = await gone;
    expect(reason).toBe('transport close');
    gateway.toChannel('game:7', 'score', 'missed');
    gateway.toUser(alice.id, 'score', 'missed personal');

    socket.connect();
    await connected(socket);
    expect(socket.recovered).toBe(true);
    gateway.toChannel('game:7', 'score', 'after');
    await flush(gateway, socket, alice.id);
    expect(scores).toEqual(['missed', 'missed personal', 'after']);
  });
});

describe('close', () => {
  it('closes sockets and refuses new ones but leaves the HTTP server to its owner', async () => {
    const { gateway, httpServer, metrics, url } = await startInstance();
    const socket = await connectAs(url, alice);
    const dropped = nextEvent(socket, 'disconnect');
    await gateway.close();
    // No disconnect packet: the client sees a transport close, so it would reconnect by itself.
    expect(await dropped).toBe('transport close');
    expect(await wsConnections(metrics)).toBe(0);

    expect(httpServer.listening).toBe(true);
    expect(await (await fetch(url)).text()).toBe('plain http');
    // Polling too: the engine stays attached to the HTTP server until its owner closes it.
    for (const transports of [['websocket'], ['polling']]) {
      await connectError(client(url, { auth: { token: signToken(bob) }, transports }));
    }
    await gateway.close();
  });
});
