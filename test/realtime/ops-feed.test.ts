// The operations dashboard's feed: admins receive the server's own figures on ops:live every
// second; players and anonymous sockets are refused the channel.
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestApp, type TestApp } from '../harness/app.js';

function connect(url: string, token?: string): Promise<Socket> {
  const socket = io(url, { transports: ['websocket'], auth: token ? { token } : {}, reconnection: false });
  return new Promise((resolve, reject) => {
    socket.once('ready', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

const subscribe = (socket: Socket, channel: string) => socket.emitWithAck('subscribe', channel) as Promise<{ ok: boolean; code?: string }>;

describe('ops:live', () => {
  let app: TestApp;
  let adminToken: string;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    app = await startTestApp({ env: { STAMPEDE_ADMIN_EMAIL: 'feed@example.com', STAMPEDE_ADMIN_PASSWORD: 'feedpassword' } });
    adminToken = (await (await app.request('POST', '/api/auth/login', { body: { email: 'feed@example.com', password: 'feedpassword' } })).json())
      .token;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.disconnect();
    await app?.stop();
  });

  it('pushes rates, latency, pool, breakers and sockets to admins', async () => {
    const admin = await connect(app.url, adminToken);
    sockets.push(admin);
    expect(await subscribe(admin, 'ops:live')).toMatchObject({ ok: true });
    // The sample after some traffic counts it.
    for (let i = 0; i < 5; i++) await app.request('GET', '/health');
    const samples: any[] = [];
    await new Promise<void>((resolve) => {
      admin.on('ops', (sample) => {
        samples.push(sample);
        if (sample.requestsPerSecond > 0) resolve();
      });
    });
    const sample = samples.at(-1);
    expect(sample).toMatchObject({
      breakers: { postgres: 'closed', redis: expect.any(String) },
      dbPool: { total: expect.any(Number), waiting: expect.any(Number) },
      sockets: expect.any(Number),
      eventLoopLagSeconds: expect.any(Number),
    });
    expect(sample.sockets).toBeGreaterThanOrEqual(1);
    expect(sample.p95).toBeGreaterThan(0);
  });

  it('is refused to players and to anonymous sockets', async () => {
    const player = await signUp(app);
    const playerSocket = await connect(app.url, player.token);
    const anonymous = await connect(app.url);
    sockets.push(playerSocket, anonymous);
    expect(await subscribe(playerSocket, 'ops:live')).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(await subscribe(anonymous, 'ops:live')).toMatchObject({ ok: false, code: 'UNAUTHENTICATED' });
  });
});
