// Shared by the gateway tests: a real HTTP server with a gateway on it, HMAC tokens, and
// socket.io clients that are all closed after each test.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { io as connectClient, type ManagerOptions, type Socket as ClientSocket, type SocketOptions } from 'socket.io-client';
import type { ChannelDecision, ChannelUser } from '../../src/realtime/channels.js';
import { createGateway, type Gateway, type GatewayOptions } from '../../src/realtime/gateway.js';
import { createMetrics, type Metrics } from '../../src/platform/metrics.js';

const secret = randomBytes(32);
const mac = (body: string) => createHmac('sha256', secret).update(body).digest('base64url');

export function signToken(user: ChannelUser): string {
  const body = Buffer.from(JSON.stringify(user)).toString('base64url');
  return `${body}.${mac(body)}`;
}

export async function verifyToken(token: string): Promise<ChannelUser> {
  const [body = '', signature = ''] = token.split('.');
  const expected = Buffer.from(mac(body));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new Error('bad signature');
  return JSON.parse(Buffer.from(body, 'base64url').toString()) as ChannelUser;
}

export interface Instance {
  gateway: Gateway;
  httpServer: HttpServer;
  metrics: Metrics;
  url: string;
}

const cleanups: Array<() => Promise<void> | void> = [];

/** Closes everything the helpers opened, newest first. Call from afterEach. */
export async function cleanUp(): Promise<void> {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
}

export async function startInstance(
  options: Partial<Pick<GatewayOptions, 'redis' | 'redisKeyPrefix' | 'clientAddress' | 'verifyToken' | 'limits' | 'limitHandshake'>> = {},
): Promise<Instance> {
  const httpServer = createServer((_request, response) => response.end('plain http'));
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const metrics = createMetrics();
  const gateway = createGateway({
    httpServer,
    verifyToken: options.verifyToken ?? verifyToken,
    redis: options.redis,
    redisKeyPrefix: options.redisKeyPrefix ?? 'test:',
    metrics,
    log: pino({ level: 'silent' }),
    clientAddress: options.clientAddress,
    limits: options.limits,
    limitHandshake: options.limitHandshake,
  });
  cleanups.push(async () => {
    await gateway.close();
    httpServer.closeAllConnections();
    await new Promise((resolve) => httpServer.close(resolve));
  });
  const { port } = httpServer.address() as AddressInfo;
  return { gateway, httpServer, metrics, url: `http://127.0.0.1:${port}` };
}

/** A client that does not reconnect by itself, so tests decide when it comes back. */
export function client(url: string, options: Partial<ManagerOptions & SocketOptions> = {}): ClientSocket {
  const socket = connectClient(url, { transports: ['websocket'], reconnection: false, forceNew: true, ...options });
  cleanups.push(() => void socket.disconnect());
  return socket;
}

export function connected(socket: ClientSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
}

export function connectError(socket: ClientSocket): Promise<Error & { data?: unknown }> {
  return new Promise((resolve, reject) => {
    socket.once('connect', () => reject(new Error('connected, but a refusal was expected')));
    socket.once('connect_error', resolve);
  });
}

/** Connects as `user` and waits for the server's `ready`, which also gives the client its first recovery offset. */
export async function connectAs(url: string, user: ChannelUser, options: Partial<ManagerOptions & SocketOptions> = {}) {
  const socket = client(url, { auth: { token: signToken(user) }, ...options });
  const ready = nextEvent(socket, 'ready');
  await connected(socket);
  await ready;
  return socket;
}

export function nextEvent(socket: ClientSocket, event: string): Promise<unknown> {
  return new Promise((resolve) => socket.once(event, (payload: unknown) => resolve(payload)));
}

export function request(socket: ClientSocket, event: 'subscribe' | 'unsubscribe', channel: unknown): Promise<ChannelDecision> {
  return socket.timeout(5_000).emitWithAck(event, channel) as Promise<ChannelDecision>;
}

/** Records every payload of `event`, to assert later what did or did not arrive. */
export function record(socket: ClientSocket, event: string): unknown[] {
  const payloads: unknown[] = [];
  socket.on(event, (payload: unknown) => payloads.push(payload));
  return payloads;
}

/**
 * Resolves once everything sent to the user before this call has been delivered: a message on
 * the user channel travels the same ordered path, so it arrives after them.
 */
export async function flush(gateway: Gateway, socket: ClientSocket, userId: string): Promise<void> {
  const marker = randomBytes(8).toString('hex');
  const arrived = new Promise<void>((resolve) => {
    const onFlush = (payload: unknown) => {
      if (payload !== marker) return;
      socket.off('flush', onFlush);
      resolve();
    };
    socket.on('flush', onFlush);
  });
  gateway.toUser(userId, 'flush', marker);
  await arrived;
}

export async function wsConnections(metrics: Metrics): Promise<number> {
  return (await metrics.wsConnections.get()).values[0]?.value ?? 0;
}
