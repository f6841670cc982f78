// A stampede of clients: one request per entrant, arriving all at once or at a fixed rate, with
// at most `connections` in flight over keep-alive sockets (like a crowd behind a few proxies).
// Every answer is kept with its timings, so tests can check bodies and the bench can report
// latency from the moment each entrant arrived. Failures are recorded, never thrown: a killed
// server is part of what this is for.
import http from 'node:http';
import { performance } from 'node:perf_hooks';

export interface RushRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  token?: string;
  headers?: Record<string, string>;
  /** Sent as JSON. */
  body?: unknown;
  /** Which of the base URLs gets this request; defaults to alternating between them. */
  target?: number;
}

export interface RushAnswer {
  /** HTTP status, or 0 when no answer came (see error). */
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
  /** Milliseconds since the rush began: when the entrant arrived, sent, got the answer. */
  arrivedAt: number;
  sentAt: number;
  answeredAt: number;
  error?: string;
}

export interface RushOptions {
  baseUrls: string[];
  /** Most requests in flight at once, over all base URLs. */
  connections: number;
  /** Arrivals per second, evenly spaced; absent means everyone arrives at once. */
  ratePerSecond?: number;
  timeoutMs?: number;
  /** Stops sending; entrants not yet sent get status 0 and error 'not sent'. */
  signal?: AbortSignal;
  /** Called as each answer (or failure) comes in, in completion order. */
  onAnswer?(answer: RushAnswer, index: number): void;
  /** false: every request on a new connection, as a crowd of separate clients arrives (default true). */
  keepAlive?: boolean;
}

const DEFAULT_TIMEOUT_MS = 60_000;

export async function rush(requests: RushRequest[], options: RushOptions): Promise<RushAnswer[]> {
  const { baseUrls, connections, ratePerSecond, timeoutMs = DEFAULT_TIMEOUT_MS, signal, onAnswer, keepAlive = true } = options;
  if (baseUrls.length === 0) throw new Error('rush needs at least one base URL');
  if (!(connections >= 1)) throw new Error('rush needs at least one connection');
  if (ratePerSecond !== undefined && !(ratePerSecond > 0)) throw new Error('the arrival rate must be positive');
  const agents = baseUrls.map(() => new http.Agent({ keepAlive, maxSockets: connections }));
  const answers: RushAnswer[] = new Array(requests.length);
  const start = performance.now();
  const now = () => performance.now() - start;
  const arrivalOf = (i: number) => (ratePerSecond === undefined ? 0 : (i * 1000) / ratePerSecond);

  let arrived = 0;
  let nextToSend = 0;
  let inFlight = 0;
  let settled = 0;
  let arrivalTimer: NodeJS.Timeout | undefined;
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));

  const settle = (index: number, answer: RushAnswer) => {
    answers[index] = answer;
    settled++;
    onAnswer?.(answer, index);
    if (settled === requests.length) finish();
  };

  const send = (index: number) => {
    const request = requests[index]!;
    const target = request.target ?? index % baseUrls.length;
    const url = new URL(request.path, baseUrls[target]);
    const payload = request.body === undefined ? undefined : JSON.stringify(request.body);
    const sentAt = now();
    const base = { arrivedAt: arrivalOf(index), sentAt };
    inFlight++;
    let finished = false;
    const complete = (answer: Omit<RushAnswer, 'arrivedAt' | 'sentAt'>) => {
      if (finished) return;
      finished = true;
      inFlight--;
      settle(index, { ...base, ...answer });
      pump();
    };
    const outgoing = http.request(
      url,
      {
        method: request.method ?? 'POST',
        agent: agents[target],
        headers: {
          ...(payload !== undefined ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
          ...(request.token ? { authorization: `Bearer ${request.token}` } : {}),
          ...request.headers,
        },
        timeout: timeoutMs,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          complete({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: response.headers, answeredAt: now() }),
        );
        response.on('error', (error) => complete({ status: 0, body: '', headers: {}, answeredAt: now(), error: error.message }));
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    outgoing.on('error', (error) => complete({ status: 0, body: '', headers: {}, answeredAt: now(), error: error.message }));
    outgoing.end(payload);
  };

  const pump = () => {
    if (signal?.aborted) {
      while (nextToSend < requests.length) {
        const index = nextToSend++;
        settle(index, {
          status: 0,
          body: '',
          headers: {},
          arrivedAt: arrivalOf(index),
          sentAt: Number.NaN,
          answeredAt: Number.NaN,
          error: 'not sent',
        });
      }
      return;
    }
    while (inFlight < connections && nextToSend < arrived) send(nextToSend++);
  };

  // Arrivals are released in index order on a timer; between timer ticks (about 1 ms) the due
  // entrants arrive together, each stamped with its exact scheduled time.
  const arrive = () => {
    arrived = ratePerSecond === undefined ? requests.length : Math.min(requests.length, Math.floor((now() * ratePerSecond) / 1000) + 1);
    pump();
    if (arrived < requests.length && !signal?.aborted) arrivalTimer = setTimeout(arrive, Math.max(0, arrivalOf(arrived) - now()));
  };
  const onAbort = () => {
    clearTimeout(arrivalTimer);
    pump();
  };
  signal?.addEventListener('abort', onAbort, { once: true });

  if (requests.length === 0) finish();
  else arrive();
  try {
    await done;
  } finally {
    clearTimeout(arrivalTimer);
    signal?.removeEventListener('abort', onAbort);
    for (const agent of agents) agent.destroy();
  }
  return answers;
}

/** Parses each answer's JSON body; non-JSON bodies become undefined. */
export function parsed<T = any>(answer: RushAnswer): T | undefined {
  try {
    return JSON.parse(answer.body) as T;
  } catch {
    return undefined;
  }
}

/** Answers by status, e.g. { '201': 9990, '200': 10, 'no answer': 0 }. */
export function countStatuses(answers: RushAnswer[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const answer of answers) {
    const key = answer.status === 0 ? 'no answer' : String(answer.status);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}
