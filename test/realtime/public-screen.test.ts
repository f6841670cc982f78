// A big screen on the real server: no token, live event counts, and nothing private.
import { randomUUID } from 'node:crypto';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestApp, type TestApp } from '../harness/app.js';
import { ADMIN_ENV, adminSession, createEvent } from '../http/events-fixtures.js';

describe('a screen without a token on the real server', () => {
  let app: TestApp;
  let screen: Socket;
  beforeAll(async () => {
    app = await startTestApp({ env: ADMIN_ENV });
    screen = connect(app.url, { transports: ['websocket'], reconnection: false, forceNew: true });
    await new Promise((resolve, reject) => screen.once('ready', resolve).once('connect_error', reject));
  });
  afterAll(async () => {
    screen?.disconnect();
    await app?.stop();
  });

  it("follows an event's counts live as players register, and may not follow a user", async () => {
    const admin = await adminSession(app);
    const event = await createEvent(app, admin.token, { capacity: 5 });
    expect(await screen.emitWithAck('subscribe', `event:${event.id}`)).toEqual({ ok: true, channel: `event:${event.id}` });
    expect(await screen.emitWithAck('subscribe', `user:${admin.user.id}`)).toMatchObject({ ok: false, code: 'UNAUTHENTICATED' });

    const counts = new Promise<{ eventId: string }>((resolve) => screen.once('counts', resolve));
    const player = await signUp(app);
    expect((await app.request('POST', `/api/events/${event.id}/registrations`, { token: player.token })).status).toBe(201);
    expect(await counts).toMatchObject({ eventId: event.id });
  });

  it('is refused channels of events, boards and polls that do not exist, with NOT_FOUND', async () => {
    const nobody = randomUUID();
    for (const channel of [
      `event:${nobody}`,
      'event:not-a-uuid',
      `board:event:${nobody}`,
      'board:no-such-board',
      `board:poll:${nobody}`,
      `board:trivia:${nobody}`,
    ]) {
      expect(await screen.emitWithAck('subscribe', channel)).toMatchObject({ ok: false, code: 'NOT_FOUND' });
    }
  });

  it('joins an event, its board and a poll spelled in capitals under the spelling pushes use', async () => {
    const admin = await adminSession(app);
    const event = await createEvent(app, admin.token, { capacity: 5 });
    const upper = event.id.toUpperCase();
    expect(await screen.emitWithAck('subscribe', `event:${upper}`)).toEqual({ ok: true, channel: `event:${event.id}` });
    expect(await screen.emitWithAck('subscribe', `board:event:${upper}`)).toEqual({ ok: true, channel: `board:event:${event.id}` });
    const poll = await app.request('POST', '/api/polls', {
      token: admin.token,
      body: {
        title: 'Snack',
        items: [
          { key: 'a', label: 'A' },
          { key: 'b', label: 'B' },
        ],
      },
    });
    expect(poll.status).toBe(201);
    const pollId = (await poll.json()).poll.id as string;
    expect(await screen.emitWithAck('subscribe', `board:poll:${pollId.toUpperCase()}`)).toEqual({ ok: true, channel: `board:poll:${pollId}` });

    const counts = new Promise<{ eventId: string }>((resolve) => screen.once('counts', resolve));
    const player = await signUp(app);
    expect((await app.request('POST', `/api/events/${event.id}/registrations`, { token: player.token })).status).toBe(201);
    expect(await counts).toMatchObject({ eventId: event.id });

    // Unsubscribing by the spelling the client used leaves the room it joined.
    expect(await screen.emitWithAck('unsubscribe', `event:${upper}`)).toEqual({ ok: true, channel: `event:${event.id}` });
  });
});
