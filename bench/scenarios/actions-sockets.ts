// Part (c) of the actions scenario: many Socket.IO clients subscribed to one board channel, and
// the time from just before the POST that changes the top 10 to each client's receipt of the
// push. The clients live in the bench's process, so their own parsing is part of the figure.
import { io as connectClient, type Socket } from 'socket.io-client';
import { percentile } from '../lib/load.js';
import { onCleanup } from '../lib/cleanup.js';

/** Connections opened at once; more only queues handshakes behind each other. */
const CONNECT_CONCURRENCY = 250;
const CONNECT_TIMEOUT_MS = 20_000;
/** How long a probe waits for every socket before counting the rest as missed. */
const PROBE_TIMEOUT_MS = 5_000;

export interface FanOutResult {
  sockets: number;
  probes: number;
  /** Receipts measured: sockets × probes, less the missed ones. */
  receipts: number;
  missed: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

interface Subscriber {
  socket: Socket;
  /** Set when the probe in flight reached this socket. */
  receivedAt?: number;
}

type ChannelReply = { ok: boolean; channel?: string; code?: string };

function openSocket(url: string, token: string, channel: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connectClient(url, { transports: ['websocket'], reconnection: false, forceNew: true, auth: { token }, timeout: CONNECT_TIMEOUT_MS });
    socket.once('connect_error', (error) => {
      socket.disconnect();
      reject(error);
    });
    socket.once('connect', () => {
      socket.timeout(CONNECT_TIMEOUT_MS).emit('subscribe', channel, (error: Error | null, reply: ChannelReply) => {
        if (error || !reply.ok) {
          socket.disconnect();
          reject(error ?? new Error(`subscribe to ${channel} refused: ${reply.code}`));
        } else resolve(socket);
      });
    });
  });
}

/** Opens `count` sockets subscribed to `channel`, CONNECT_CONCURRENCY at a time. */
export async function subscribeMany(url: string, token: string, channel: string, count: number): Promise<Socket[]> {
  const sockets: Socket[] = [];
  onCleanup(() => sockets.forEach((socket) => socket.disconnect()));
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      sockets.push(await openSocket(url, token, channel));
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONNECT_CONCURRENCY, count) }, worker));
  return sockets;
}

export interface Probe {
  /** Recognises the push the change causes (known before it is sent: a push may beat the answer). */
  matches(payload: unknown): boolean;
  /** Makes the change: the POST. */
  send(): Promise<void>;
}

/**
 * Runs `probes` changes one after the other. Each socket's receipt of the push a change causes
 * is timed from just before its POST. The next probe waits until every socket got it (or the
 * timeout, after which the rest count as missed), then `gapMs` more.
 */
export async function measureFanOut(
  sockets: Socket[],
  event: string,
  { probes, gapMs }: { probes: number; gapMs: number },
  probeAt: (probe: number) => Probe,
): Promise<FanOutResult> {
  const subscribers: Subscriber[] = sockets.map((socket) => ({ socket }));
  const latencies: number[] = [];
  let missed = 0;
  for (let probe = 0; probe < probes; probe++) {
    if (probe > 0) await new Promise((resolve) => setTimeout(resolve, gapMs));
    const { matches, send } = probeAt(probe);
    let pending = subscribers.length;
    let allReceived!: () => void;
    const done = new Promise<void>((resolve) => (allReceived = resolve));
    const listeners = subscribers.map((subscriber) => {
      subscriber.receivedAt = undefined;
      const listener = (payload: unknown) => {
        const receivedAt = performance.now();
        if (subscriber.receivedAt !== undefined || !matches(payload)) return;
        subscriber.receivedAt = receivedAt;
        if (--pending === 0) allReceived();
      };
      subscriber.socket.on(event, listener);
      return listener;
    });

    const sentAt = performance.now();
    await send();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([done, new Promise((resolve) => (timer = setTimeout(resolve, PROBE_TIMEOUT_MS)))]);
    clearTimeout(timer);

    subscribers.forEach((subscriber, i) => {
      subscriber.socket.off(event, listeners[i]);
      if (subscriber.receivedAt === undefined) missed++;
      else latencies.push(subscriber.receivedAt - sentAt);
    });
  }
  const sorted = Float64Array.from(latencies).sort();
  return {
    sockets: sockets.length,
    probes,
    receipts: sorted.length,
    missed,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
  };
}
