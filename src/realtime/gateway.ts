// The Socket.IO gateway, on the HTTP server's port. The handshake authenticates a JWT; each
// socket joins its user channel and subscribes to the channels the registry allows. A socket
// without a token is anonymous: it may only subscribe to public channels, and each client
// address may hold a limited number of them. Features
// push through the platform/push port it implements. With Redis, the streams adapter carries broadcasts and
// recovery sessions across instances.
import type { Server as HttpServer, IncomingMessage } from 'node:http';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { Server, type DefaultEventsMap, type ExtendedError, type Socket } from 'socket.io';
import { AppError, isAppError } from '../errors.js';
import type { Metrics } from '../platform/metrics.js';
import type { Push } from '../platform/push/port.js';
import {
  createChannelRegistry,
  invalidChannel,
  parseChannel,
  refusal,
  userChannel,
  type ChannelDecision,
  type ChannelRegistry,
  type ChannelUser,
} from './channels.js';

export const MAX_SUBSCRIPTIONS_PER_SOCKET = 50;

/** Open sockets per instance; 0 lifts a cap. */
export interface SocketLimits {
  perUser: number;
  /** Every socket from one client address, signed in or not. */
  perAddress: number;
  /** A venue's screens share one address behind NAT; more than this from one address is not screens. */
  anonymousPerAddress: number;
}

export const DEFAULT_SOCKET_LIMITS: SocketLimits = { perUser: 10, perAddress: 1_000, anonymousPerAddress: 100 };

/** Whether a client address may open another connection now; otherwise how long it should wait. */
export type HandshakeLimiter = (address: string) => Promise<{ allowed: true } | { allowed: false; retryAfterSeconds: number }>;

export interface GatewayOptions {
  httpServer: HttpServer;
  /** Resolves the token's user; throws when the token is invalid (an AppError's code reaches the client). */
  verifyToken: (token: string) => Promise<ChannelUser>;
  /** When set, the streams adapter runs on duplicates of this client; the client itself is left alone. */
  redis?: Redis;
  redisKeyPrefix: string;
  metrics: Metrics;
  log: Logger;
  corsOrigin?: boolean | string[];
  /**
   * Accept WebSocket only. Under node:cluster each HTTP long-polling request may reach a
   * different worker, which breaks polling sessions; refusing polling makes that failure clear.
   */
  websocketOnly?: boolean;
  /** Where a handshake came from, for the per-address caps and limits; the peer address by default. */
  clientAddress?: (request: IncomingMessage) => string;
  limits?: SocketLimits;
  /** Spends a handshake of the client's address; no limit when absent. */
  limitHandshake?: HandshakeLimiter;
}

/** isGuest is always set so the data survives the msgpack round trip of a Redis recovery session; null for anonymous sockets. */
export interface SocketData {
  user: Required<ChannelUser> | null;
  /** Channel names as the client asked for them, mapped to the canonical rooms they joined. */
  aliases: Record<string, string>;
}

/** The cluster event carrying another instance's toUsers messages. */
const TO_USERS = 'stampede:to-users';

export type GatewayServer = Server<DefaultEventsMap, DefaultEventsMap, DefaultEventsMap, SocketData>;
type GatewaySocket = Socket<DefaultEventsMap, DefaultEventsMap, DefaultEventsMap, SocketData>;

/** A client request over the socket (`answer`, ...): resolves with the ack's data, or throws an AppError. */
export type SocketCommand = (user: Required<ChannelUser>, payload: unknown) => Promise<object>;
/** What a subscribe ack carries besides `ok` and `channel`, so a reconnecting client gets the current state at once. */
export type SubscribeState = (user: ChannelUser | undefined, channelId: string) => Promise<unknown>;

/** The ack of a command: the result's fields, or the error's stable code. */
export type CommandAck = ({ ok: true } & object) | { ok: false; code: string; status: number; message: string };

export interface Gateway extends Push {
  channels: ChannelRegistry;
  /** Handles a client event with an ack; only sockets with a token may send it. */
  handle(event: string, command: SocketCommand): void;
  /** Adds `state` to the ack of a successful subscribe to `<kind>:<id>`. */
  subscribeState(kind: string, state: SubscribeState): void;
  /** Resolves with the reason once this instance's socket `socketId` disconnects (at once if it is not connected). */
  disconnection(socketId: string): Promise<string>;
  /** Closes sockets, adapter and Redis duplicates; leaves the HTTP server to its owner. Idempotent. */
  close(): Promise<void>;
}

export function createGateway(options: GatewayOptions): Gateway {
  const { log, metrics } = options;
  const channels = createChannelRegistry();
  const clientAddress = options.clientAddress ?? ((request: IncomingMessage) => request.socket.remoteAddress ?? 'unknown');
  const limits = options.limits ?? DEFAULT_SOCKET_LIMITS;
  const byUser = createTally();
  const byAddress = createTally();
  const anonymousByAddress = createTally();
  const commands = new Map<string, SocketCommand>();
  const subscribeStates = new Map<string, SubscribeState>();
  const redis = options.redis ? streamsAdapter(options.redis, options.redisKeyPrefix, log, metrics) : undefined;
  let closing: Promise<void> | undefined;

  const io: GatewayServer = new Server(options.httpServer, {
    serveClient: false,
    ...(options.websocketOnly ? { transports: ['websocket' as const] } : {}),
    // Clients only send channel names; a small cap bounds what one socket can make us buffer.
    maxHttpBufferSize: 64 * 1024,
    ...(options.corsOrigin === undefined ? {} : { cors: { origin: options.corsOrigin } }),
    connectionStateRecovery: { maxDisconnectionDuration: 2 * 60 * 1000, skipMiddlewares: true },
    ...(redis ? { adapter: redis.adapter } : {}),
    // After close() the engine stays attached to the HTTP server until its owner closes it.
    allowRequest: (_request, callback) => callback(closing ? 'shutting down' : null, !closing),
  });

  io.use((socket, next) => {
    admit(socket).then(next, (error: unknown) => {
      log.debug({ err: error }, 'websocket handshake refused');
      next(handshakeError(isAppError(error) ? error : new AppError('INVALID_TOKEN')));
    });
  });

  /**
   * The address's handshake budget is spent before the token is checked, so floods cost no
   * session lookups; then the caps. Each cap's slot is held until the socket disconnects.
   */
  async function admit(socket: GatewaySocket): Promise<undefined> {
    const address = clientAddress(socket.request);
    const decision = await options.limitHandshake?.(address);
    if (decision && !decision.allowed) {
      throw new AppError('RATE_LIMITED', `Too many connections from your address; retry in ${decision.retryAfterSeconds} s`, {
        retryAfterSeconds: decision.retryAfterSeconds,
      });
    }
    const user = await authenticate(socket.handshake);
    socket.data.user = user ? { id: user.id, role: user.role, isGuest: user.isGuest === true } : null;
    socket.data.aliases = {};
    const slots = [
      { tally: byAddress, key: address, cap: limits.perAddress, refusal: `At most ${limits.perAddress} connections per address` },
      user
        ? { tally: byUser, key: user.id, cap: limits.perUser, refusal: `At most ${limits.perUser} connections per user; close another tab or device` }
        : {
            tally: anonymousByAddress,
            key: address,
            cap: limits.anonymousPerAddress,
            refusal: `At most ${limits.anonymousPerAddress} connections without a token per address`,
          },
    ];
    const full = slots.find((slot) => !slot.tally.hasRoom(slot.key, slot.cap));
    if (full) throw new AppError('TOO_MANY_CONNECTIONS', full.refusal);
    for (const slot of slots) slot.tally.hold(slot.key, socket);
    return undefined;
  }

  /** No token: anonymous (undefined). A token that fails verification is refused, never downgraded. */
  async function authenticate(handshake: GatewaySocket['handshake']): Promise<ChannelUser | undefined> {
    const token = handshakeToken(handshake);
    return token ? options.verifyToken(token) : undefined;
  }

  // Another instance's toUsers: its messages for this instance's sockets.
  io.on(TO_USERS, (event: string, messages: Array<[string, unknown]>) => toUsersHere(event, messages));

  io.on('connection', (socket) => {
    const { user } = socket.data;
    metrics.wsConnections.inc();
    socket.on('disconnect', () => metrics.wsConnections.dec());
    if (user) void socket.join(userChannel(user.id));
    // With recovery on, emits carry the offset a client presents to resume its session: `ready`
    // hands one out at once, so a client can recover even before its first channel message. Its
    // serverNow lets clients show countdowns in server time whatever their own clock says.
    socket.emit('ready', { user, serverNow: Date.now() });
    socket.on('subscribe', (...args: unknown[]) => reply(args, (name) => subscribe(socket, name)));
    socket.on('unsubscribe', (...args: unknown[]) => reply(args, (name) => unsubscribe(socket, name)));
    for (const [event, command] of commands) socket.on(event, (...args: unknown[]) => runCommand(socket, event, command, args));
  });

  function runCommand(socket: GatewaySocket, event: string, command: SocketCommand, args: unknown[]): void {
    const last = args.at(-1);
    const ack = typeof last === 'function' ? (last as (answer: CommandAck) => void) : () => undefined;
    const { user } = socket.data;
    const run = user ? command(user, args[0]) : Promise.reject(new AppError('UNAUTHENTICATED', `${event} needs a token`));
    run
      .then(
        (result): CommandAck => ({ ok: true, ...result }),
        (error: unknown): CommandAck => {
          const known = isAppError(error) ? error : new AppError('INTERNAL');
          if (!isAppError(error)) log.error({ err: error, event }, 'socket command failed');
          return { ok: false, code: known.code, status: known.status, message: known.message };
        },
      )
      .then(ack)
      .catch((error: unknown) => log.warn({ err: error, event }, 'could not acknowledge a socket command'));
  }

  async function subscribe(socket: GatewaySocket, name: unknown): Promise<ChannelDecision> {
    const channel = parseChannel(name);
    if (!channel) return invalidChannel();
    if (socket.rooms.has(channel.name)) return { ok: true, channel: channel.name };
    if (subscriptionCount(socket) >= MAX_SUBSCRIPTIONS_PER_SOCKET) return tooManySubscriptions();
    const decision = await channels.authorize(socket.data.user ?? undefined, channel.name);
    if (!decision.ok) return decision;
    // Re-checked after the await: concurrent subscribes may have filled the cap meanwhile, and
    // joining after a disconnect would leave the dead socket in the room forever.
    if (subscriptionCount(socket) >= MAX_SUBSCRIPTIONS_PER_SOCKET) return tooManySubscriptions();
    if (socket.disconnected) return decision;
    await socket.join(decision.channel);
    if (decision.channel !== channel.name) socket.data.aliases[channel.name] = decision.channel;
    const state = subscribeStates.get(channel.kind);
    if (!state) return decision;
    // The subscription stands even when the state cannot be read; the client can fetch it over HTTP.
    return { ...decision, state: await state(socket.data.user ?? undefined, channel.id).catch(() => null) };
  }

  async function unsubscribe(socket: GatewaySocket, name: unknown): Promise<ChannelDecision> {
    const channel = parseChannel(name);
    if (!channel) return invalidChannel();
    if (socket.data.user && channel.name === userChannel(socket.data.user.id)) {
      return refusal('FORBIDDEN', 'Your own user channel stays subscribed for the life of the connection');
    }
    const joined = socket.data.aliases[channel.name] ?? channel.name;
    delete socket.data.aliases[channel.name];
    await socket.leave(joined);
    return { ok: true, channel: joined };
  }

  /** Clients send anything: the ack, when there is one, is the last argument; the name is the first other one. */
  function reply(args: unknown[], decide: (name: unknown) => Promise<ChannelDecision>): void {
    const last = args.at(-1);
    const ack = typeof last === 'function' ? (last as (decision: ChannelDecision) => void) : undefined;
    const name = ack && args.length === 1 ? undefined : args[0];
    decide(name)
      .catch((error: unknown) => {
        log.warn({ err: error, channel: name }, 'channel authorization failed');
        return refusal('INTERNAL', 'Could not check access to this channel; retry shortly');
      })
      .then(ack)
      .catch((error: unknown) => log.warn({ err: error }, 'could not acknowledge a channel request'));
  }

  function toChannel(channel: string, event: string, payload: unknown): void {
    if (!parseChannel(channel)) throw new TypeError(`invalid channel name '${channel}'`);
    io.to(channel).emit(event, payload);
  }

  function toUsersHere(event: string, messages: Array<[string, unknown]>): void {
    for (const [userId, payload] of messages) io.local.to(userChannel(userId)).emit(event, payload);
  }

  /**
   * Each local emit goes out at once; the other instances get all the messages in one cluster
   * message. Through the adapter each emit would be an XADD of its own, and with Redis the
   * adapter delivers even a local emit only once its XADD is answered: 10,000 personal results
   * at a trivia close were 10,000 XADDs. A client that is disconnected meanwhile does not get
   * them replayed on recovery (they are not in the stream); it reads them from the state routes.
   */
  function toUsers(event: string, messages: Array<[string, unknown]>): void {
    toUsersHere(event, messages);
    if (redis && messages.length > 0) io.serverSideEmit(TO_USERS, event, messages);
  }

  async function shutDown(): Promise<void> {
    // What io.close() does, minus closing the HTTP server, which its owner closes after us.
    // 'server shutting down' (no disconnect packet) lets clients reconnect on their own, and it is
    // a recoverable reason, so with Redis the sessions resume on another instance.
    const namespace = io.of('/');
    for (const socket of namespace.sockets.values()) socket._onclose('server shutting down');
    await namespace.adapter.close();
    io.engine.close();
    await redis?.close();
  }

  return {
    channels,
    handle: (event, command) => void commands.set(event, command),
    subscribeState: (kind, state) => void subscribeStates.set(kind, state),
    toChannel,
    toUser: (userId, event, payload) => toChannel(userChannel(userId), event, payload),
    toUsers,
    broadcast: (event, payload) => void io.emit(event, payload),
    disconnection: (socketId) => {
      const socket = io.of('/').sockets.get(socketId);
      return socket ? new Promise((resolve) => socket.once('disconnect', resolve)) : Promise.resolve('not connected');
    },
    close: () => (closing ??= shutDown()),
  };
}

/** Open sockets per key (a user, an address), each counted until it disconnects. */
function createTally() {
  const counts = new Map<string, number>();
  return {
    hasRoom: (key: string, cap: number) => cap === 0 || (counts.get(key) ?? 0) < cap,
    hold(key: string, socket: GatewaySocket) {
      counts.set(key, (counts.get(key) ?? 0) + 1);
      socket.once('disconnect', () => {
        const left = (counts.get(key) ?? 1) - 1;
        if (left > 0) counts.set(key, left);
        else counts.delete(key);
      });
    },
  };
}

/** Channels the client chose, i.e. every room but the socket's own and its user channel. */
function subscriptionCount(socket: GatewaySocket): number {
  const own = socket.data.user && userChannel(socket.data.user.id);
  let count = 0;
  for (const room of socket.rooms) if (room !== socket.id && room !== own) count++;
  return count;
}

function tooManySubscriptions() {
  return refusal('TOO_MANY_SUBSCRIPTIONS', `A connection can hold at most ${MAX_SUBSCRIPTIONS_PER_SOCKET} subscriptions; unsubscribe first`);
}

/** `auth: { token }` first; then `Authorization: Bearer` (Node clients) and `?token=` (simple clients). */
function handshakeToken(handshake: GatewaySocket['handshake']): string | undefined {
  const fromAuth: unknown = handshake.auth.token;
  if (typeof fromAuth === 'string' && fromAuth) return fromAuth;
  const bearer = /^Bearer\s+(\S+)$/i.exec(handshake.headers.authorization ?? '');
  if (bearer) return bearer[1];
  const fromQuery = handshake.query.token;
  return typeof fromQuery === 'string' && fromQuery ? fromQuery : undefined;
}

/** The client's connect_error: `message`, and `data` with the stable code. */
function handshakeError(error: AppError): ExtendedError {
  return Object.assign(new Error(error.message), { data: { ...error.extensions, code: error.code, message: error.message } });
}

function streamsAdapter(redis: Redis, prefix: string, log: Logger, metrics: Metrics) {
  // A private client whose duplicates (the adapter's blocking XREAD and SUBSCRIBE connections) we
  // track, because the adapter only drops its XREAD connection when the current block times out.
  // lazyConnect off: the adapter would otherwise call connect() on them with no catch. No offline
  // queue on the publisher: the adapter waits for XADD before delivering a broadcast even locally,
  // so with Redis down it must fail at once, not after retries (or never, with BullMQ's settings).
  const publisher = guard(redis.duplicate({ lazyConnect: false, enableOfflineQueue: false }));
  const duplicates: Redis[] = [];
  const duplicate = publisher.duplicate.bind(publisher);
  publisher.duplicate = (override) => {
    // The readers keep their queue: a failing XREAD is retried at once, so failing fast would spin.
    // And no command timeout: an XREAD timed out client-side still takes the next entries off the
    // stream, which are then dropped, and the retry starts after them.
    const connection = guard(duplicate({ ...override, enableOfflineQueue: true, commandTimeout: undefined }));
    duplicates.push(connection);
    return connection;
  };

  // The adapter fires some commands without a catch (SUBSCRIBE, the recovery session's SET): with
  // Redis down, or a close racing a reply, their rejections would be unhandled and end the process.
  function guard(connection: Redis): Redis {
    connection.on('error', (error: Error) => log.debug({ err: error }, 'socket.io redis connection error'));
    const sendCommand = connection.sendCommand.bind(connection);
    connection.sendCommand = (command, stream) => {
      command.promise.catch((error: unknown) => {
        log.debug({ err: error, command: command.name }, 'socket.io redis command failed');
        // The adapter still delivers a failed broadcast to this instance's sockets.
        if (command.name === 'xadd') metrics.fallbacks.inc({ port: 'realtime' });
      });
      return sendCommand(command, stream);
    };
    return connection;
  }

  const name = `${prefix}socket.io`;
  return {
    adapter: createAdapter(publisher, { streamName: name, channelPrefix: name, sessionKeyPrefix: `${name}:session:` }),
    async close() {
      for (const connection of duplicates) connection.disconnect();
      // QUIT lets the sessions persisted during shutdown reach Redis before the connection ends.
      if (publisher.status === 'ready') await publisher.quit().catch(() => publisher.disconnect());
      else publisher.disconnect();
    },
  };
}
