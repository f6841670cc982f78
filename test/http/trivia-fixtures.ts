// Shared by the trivia tests: a quiz of every kind, a clock the test moves, sockets that keep
// what they receive, and small HTTP helpers.
import { io as connect, type Socket } from 'socket.io-client';
import type { TestApp } from '../harness/app.js';

export const ADMIN = { STAMPEDE_ADMIN_EMAIL: 'root@example.com', STAMPEDE_ADMIN_PASSWORD: 'rootpassword' };

export const QUIZ = {
  title: 'Capitals and numbers',
  questions: [
    { text: 'Capital of France?', kind: 'choice', options: ['Rome', 'Paris', 'Oslo'], answer: 1, timeLimitSec: 20 },
    { text: 'Primes?', kind: 'multi', options: ['2', '4', '5', '9'], answer: [0, 2], timeLimitSec: 10, points: 500 },
    { text: 'Capital of Switzerland?', kind: 'text', answer: ['Bern', 'Berne'], timeLimitSec: 15 },
    { text: 'Speed of light, km/s?', kind: 'number', answer: { value: 299792, tolerance: 1000 }, timeLimitSec: 30 },
  ],
};

export async function adminToken(app: TestApp): Promise<string> {
  return (await (await app.request('POST', '/api/auth/login', { body: { email: 'root@example.com', password: 'rootpassword' } })).json()).token;
}

export async function guest(app: TestApp, nickname = 'guest'): Promise<{ token: string; id: string }> {
  const { token, user } = await (await app.request('POST', '/api/auth/guest', { body: { nickname } })).json();
  return { token, id: user.id };
}

/** A clock that only moves when the test says so. */
export function manualClock(start = Date.parse('2026-12-03T12:00:00.000Z')) {
  let now = start;
  return { now: () => now, set: (ms: number) => void (now = ms), advance: (ms: number) => void (now += ms) };
}

/** A socket that records every event it receives, and can wait for the next of a kind. */
export interface Recorder {
  socket: Socket;
  events: Array<[string, any]>;
  next(event: string, predicate?: (payload: any) => boolean): Promise<any>;
  emit(event: string, payload: unknown): Promise<any>;
  close(): void;
}

export async function listen(url: string, token?: string): Promise<Recorder> {
  const socket = connect(url, { transports: ['websocket'], auth: token ? { token } : {}, forceNew: true, reconnection: false });
  const events: Array<[string, any]> = [];
  const waiters: Array<{ event: string; predicate: (payload: any) => boolean; resolve: (payload: any) => void; from: number }> = [];
  socket.onAny((event: string, payload: any) => {
    events.push([event, payload]);
    for (const waiter of [...waiters]) {
      if (waiter.event === event && waiter.predicate(payload)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(payload);
      }
    }
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('ready', () => resolve());
    socket.once('connect_error', reject);
  });
  return {
    socket,
    events,
    next: (event, predicate = () => true) => {
      const seen = events.find(([name, payload]) => name === event && predicate(payload));
      if (seen) return Promise.resolve(seen[1]);
      return new Promise((resolve) => waiters.push({ event, predicate, resolve, from: events.length }));
    },
    emit: (event, payload) => socket.timeout(10_000).emitWithAck(event, payload),
    close: () => void socket.disconnect(),
  };
}
