// Part (c) of the actions scenario: many clients subscribed to one board channel, and the time
// from just before the POST that changes the top 10 to each client's receipt of the push.
//
// The clients speak the Socket.IO protocol (Engine.IO 4) over plain WebSockets instead of
// running 10,000 socket.io-client instances: in one process, on the server's 2 cores, decoding
// every push 10,000 times would put the clients' own queue into the figure. A receipt is the
// frame's arrival, recognised by a substring; the server is exactly what real clients meet.
import { WebSocket } from 'ws';
import { percentile } from '../lib/load.js';
import { onCleanup } from '../lib/cleanup.js';

/** Connections opened at once; more only queues handshakes behind each other. */
const CONNECT_CONCURRENCY = 200;
const CONNECT_TIMEOUT_MS = 30_000;
/** How long a probe waits for every socket before counting the rest as missed. */
const PROBE_TIMEOUT_MS = 5_000;
const SUBSCRIBE_ACK_ID = 0;

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
  /** Median over the probes of the first client's receipt: the server's reaction before the fan-out. */
  firstReceiptP50: number;
}

export interface Subscriber {
  close(): void;
  /** Called with each event frame's text (`42[...]`) and its arrival time. */
  onEvent?: (frame: string, receivedAt: number) => void;
}

/**
 * One client: Engine.IO open, Socket.IO connect with the token, `subscribe` with an ack; then
 * pongs for pings and event frames handed to onEvent.
 */
function subscribe(url: string, token: string, channel: string): Promise<Subscriber> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`);
    const subscriber: Subscriber = { close: () => ws.terminate() };
    const timer = setTimeout(() => fail(new Error(`no subscription within ${CONNECT_TIMEOUT_MS} ms`)), CONNECT_TIMEOUT_MS);
    const fail = (error: Error) => {
      clearTimeout(timer);
      ws.terminate();
      reject(error);
    };
    let subscribed = false;
    ws.on('error', fail);
    ws.on('message', (data) => {
      const receivedAt = performance.now();
      const frame = data.toString();
      if (frame === '2') ws.send('3');
      else if (frame.startsWith('42')) subscriber.onEvent?.(frame, receivedAt);
      else if (frame.startsWith('0')) ws.send(`40${JSON.stringify({ token })}`);
      else if (frame.startsWith('40')) ws.send(`42${SUBSCRIBE_ACK_ID}${JSON.stringify(['subscribe', channel])}`);
      else if (frame.startsWith('44')) fail(new Error(`handshake refused: ${frame.slice(2)}`));
      else if (frame.startsWith(`43${SUBSCRIBE_ACK_ID}`) && !subscribed) {
        const [reply] = JSON.parse(frame.slice(3)) as [{ ok: boolean; code?: string }];
        if (!reply.ok) return fail(new Error(`subscribe to ${channel} refused: ${reply.code}`));
        subscribed = true;
        clearTimeout(timer);
        resolve(subscriber);
      }
    });
  });
}

/** Opens `count` clients subscribed to `channel`, CONNECT_CONCURRENCY at a time. */
export async function subscribeMany(url: string, token: string, channel: string, count: number): Promise<Subscriber[]> {
  const subscribers: Subscriber[] = [];
  onCleanup(() => subscribers.forEach((subscriber) => subscriber.close()));
  let started = 0;
  const opener = async () => {
    while (started < count) {
      started++;
      subscribers.push(await subscribe(url, token, channel));
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONNECT_CONCURRENCY, count) }, opener));
  return subscribers;
}

export interface Probe {
  /** Recognises the frame of the push the change causes (known before it is sent: a push may beat the answer). */
  matches(frame: string): boolean;
  /** Makes the change: the POST. */
  send(): Promise<void>;
}

/**
 * Runs `probes` changes one after the other. Each client's receipt of the push a change causes
 * is timed from just before its POST. The next probe waits until every client got it (or the
 * timeout, after which the rest count as missed), then `gapMs` more.
 */
export async function measureFanOut(
  subscribers: Subscriber[],
  { probes, gapMs }: { probes: number; gapMs: number },
  probeAt: (probe: number) => Probe,
): Promise<FanOutResult> {
  const latencies: number[] = [];
  const firstReceipts: number[] = [];
  let missed = 0;
  for (let probe = 0; probe < probes; probe++) {
    if (probe > 0) await new Promise((resolve) => setTimeout(resolve, gapMs));
    const { matches, send } = probeAt(probe);
    const receivedAt = new Float64Array(subscribers.length).fill(Number.NaN);
    let pending = subscribers.length;
    let allReceived!: () => void;
    const done = new Promise<void>((resolve) => (allReceived = resolve));
    subscribers.forEach((subscriber, i) => {
      subscriber.onEvent = (frame, at) => {
        if (!Number.isNaN(receivedAt[i]!) || !matches(frame)) return;
        receivedAt[i] = at;
        if (--pending === 0) allReceived();
      };
    });

    const sentAt = performance.now();
    await send();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([done, new Promise((resolve) => (timer = setTimeout(resolve, PROBE_TIMEOUT_MS)))]);
    clearTimeout(timer);

    let first = Number.POSITIVE_INFINITY;
    for (const at of receivedAt) {
      if (Number.isNaN(at)) missed++;
      else latencies.push(at - sentAt);
      if (at - sentAt < first) first = at - sentAt;
    }
    if (Number.isFinite(first)) firstReceipts.push(first);
  }
  subscribers.forEach((subscriber) => (subscriber.onEvent = undefined));
  const sorted = Float64Array.from(latencies).sort();
  return {
    sockets: subscribers.length,
    probes,
    receipts: sorted.length,
    missed,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
    firstReceiptP50: percentile(Float64Array.from(firstReceipts).sort(), 50),
  };
}
