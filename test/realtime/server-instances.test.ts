// The realtime gateway as served by the real app: JWT handshake with tokens from the accounts
// API, and a broadcast from one instance reaching a socket on another through Redis.
import { randomUUID } from 'node:crypto';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestApp, type TestApp } from '../harness/app.js';

describe('realtime across two server instances (PostgreSQL + Redis)', () => {
  let first: TestApp;
  let second: TestApp;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    const redisKeyPrefix = `test:${randomUUID()}:`;
    first = await startTestApp({ store: 'postgres', redis: true, redisKeyPrefix });
    second = await startTestApp({ databaseUrl: first.platform.config.databaseUrl, redis: true, redisKeyPrefix });
  });
  afterAll(async () => {
    for (const socket of sockets) socket.disconnect();
    await first?.stop();
    await second?.stop();
  });

  function open(app: TestApp, token?: string): Socket {
    const socket = connect(app.url, { auth: token ? { token } : {}, transports: ['websocket'], reconnection: false });
    sockets.push(socket);
    return socket;
  }

  it('refuses a socket without a valid token', async () => {
    const socket = open(first, 'not-a-token');
    const error = await new Promise<Error & { data?: { code: string } }>((resolve) => socket.once('connect_error', resolve));
    expect(error.data?.code).toBe('INVALID_TOKEN');
  });

  it('delivers a broadcast sent on one instance to a socket connected to the other', async () => {
    const { token, user } = await signUp(first);
    const socket = open(second, token);
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const ack = await socket.emitWithAck('subscribe', 'board:global');
    expect(ack).toEqual({ ok: true, channel: 'board:global' });

    const received = new Promise((resolve) => socket.once('counts', resolve));
    const personal = new Promise((resolve) => socket.once('registration', resolve));
    first.gateway.toChannel('board:global', 'counts', { confirmed: 1 });
    first.gateway.toUser(user.id, 'registration', { status: 'confirmed' });
    expect(await received).toEqual({ confirmed: 1 });
    expect(await personal).toEqual({ status: 'confirmed' });
  });
});
