// One Socket.IO connection for the page, authenticated with the session's token (or anonymous,
// for big screens). It keeps the channels pages asked for subscribed across reconnects, records
// the server's clock offset per connection, and after every reconnect it tells the pages to
// refetch, so nothing stale is shown as live.
import { io, type Socket } from 'socket.io-client';
import { createStore } from '../lib/store';
import { session } from '../api/session';
import { clockOffset } from './clock';

export interface LiveStatus {
  connected: boolean;
  /** False until the first connection: the page shows "connecting", not "lost". */
  everConnected: boolean;
  /** Our clock, when the last message arrived. */
  lastMessageAt: number | null;
  offsetMs: number;
}

export const liveStatus = createStore<LiveStatus>({ connected: false, everConnected: false, lastMessageAt: null, offsetMs: 0 });

/** Now, in the server's clock. */
export const serverNow = () => Date.now() + liveStatus.get().offsetMs;

type Handler = (payload: unknown) => void;
const channels = new Map<string, number>();
const handlers = new Map<string, Set<Handler>>();
const resyncListeners = new Set<() => void>();
let socket: Socket | undefined;
let socketToken: string | undefined;

function update(patch: Partial<LiveStatus>): void {
  liveStatus.set({ ...liveStatus.get(), ...patch });
}

function connect(): Socket {
  const token = session.get()?.token;
  if (socket && socketToken === token) return socket;
  socket?.disconnect();
  socketToken = token;
  const next = io({
    auth: token ? { token } : {},
    transports: ['websocket', 'polling'],
    reconnectionDelay: 500,
    reconnectionDelayMax: 10_000,
    randomizationFactor: 0.5,
  });
  next.on('ready', (message: { serverNow?: number }) => {
    if (typeof message?.serverNow === 'number') update({ offsetMs: clockOffset(message.serverNow, Date.now()) });
  });
  next.on('connect', () => {
    const reconnected = liveStatus.get().everConnected;
    update({ connected: true, everConnected: true, lastMessageAt: Date.now() });
    // A recovered session kept its rooms; a new one joins them again.
    if (!next.recovered) for (const channel of channels.keys()) next.emit('subscribe', channel);
    // Even a recovered session may have missed what happened before the gap was noticed: refetch.
    if (reconnected) for (const listener of resyncListeners) listener();
  });
  next.on('disconnect', () => update({ connected: false }));
  next.onAny((event: string, payload: unknown) => {
    update({ lastMessageAt: Date.now() });
    for (const handler of handlers.get(event) ?? []) handler(payload);
  });
  socket = next;
  return next;
}

// A new session (sign in, sign out) needs a connection with the new identity.
session.subscribe(() => {
  if (socket) connect();
});

export function ensureConnected(): void {
  connect();
}

/** Subscribes to `channel` while the returned function has not been called (reference-counted). */
export function joinChannel(channel: string): () => void {
  const live = connect();
  const count = channels.get(channel) ?? 0;
  channels.set(channel, count + 1);
  if (count === 0 && live.connected) live.emit('subscribe', channel);
  return () => {
    const left = (channels.get(channel) ?? 1) - 1;
    if (left > 0) return void channels.set(channel, left);
    channels.delete(channel);
    if (live.connected) live.emit('unsubscribe', channel);
  };
}

export function onLive(event: string, handler: Handler): () => void {
  connect();
  let set = handlers.get(event);
  if (!set) handlers.set(event, (set = new Set()));
  set.add(handler);
  return () => set.delete(handler);
}

export function onResync(listener: () => void): () => void {
  resyncListeners.add(listener);
  return () => resyncListeners.delete(listener);
}
