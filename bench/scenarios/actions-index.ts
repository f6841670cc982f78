// The rank index alone, without HTTP: both adapters loaded with the same board of N entries,
// then each operation timed one call at a time (latency, not throughput). The in-process
// adapter runs in the bench's own process; Redis is a throwaway server of its own.
import { randomInt } from 'node:crypto';
import { percentile } from '../lib/load.js';
import { onCleanup } from '../lib/cleanup.js';
import { createBreaker } from '../../src/platform/breakers.js';
import { createMetrics } from '../../src/platform/metrics.js';
import { MemoryRankIndex } from '../../src/platform/rank-index/memory.js';
import type { RankIndex, RankedMember } from '../../src/platform/rank-index/port.js';
import { RedisRankIndex } from '../../src/platform/rank-index/redis.js';
import { REDIS_CLIENT_OPTIONS } from '../../src/platform/ports.js';
import { readyWithin } from '../../src/platform/redis-ready.js';
import { startRedis } from '../../test/harness/processes.js';
import { Redis } from 'ioredis';

const BOARD = 'bench';
const T0 = Date.UTC(2026, 10, 22);

export interface IndexTiming {
  adapter: string;
  entries: number;
  /** Seconds replace() took to load the board. */
  loadSeconds: number;
  /** Operation -> latency percentiles in ms. */
  operations: Record<string, { p50: number; p95: number; p99: number; calls: number }>;
}

/** Entry i of the board: scores spread over a range about the board's size, so ties happen. */
export function seedEntry(i: number, entries: number): RankedMember {
  return { member: `seed-${i}`, score: randomInt(entries), reachedAt: T0 + randomInt(86_400_000) };
}

async function time(calls: number, operation: (i: number) => Promise<unknown>) {
  const latencies = new Float64Array(calls);
  for (let i = 0; i < calls; i++) {
    const started = performance.now();
    await operation(i);
    latencies[i] = performance.now() - started;
  }
  latencies.sort();
  return { p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99), calls };
}

async function timeAdapter(adapter: string, index: RankIndex, board: RankedMember[], calls: number): Promise<IndexTiming> {
  const started = performance.now();
  await index.replace(BOARD, board);
  const loadSeconds = (performance.now() - started) / 1000;
  const someone = () => `seed-${randomInt(board.length)}`;
  const operations = {
    'rank(member)': await time(calls, () => index.rank(BOARD, someone())),
    'top(10)': await time(calls, () => index.top(BOARD, 10)),
    'top(10, offset n/2)': await time(calls, () => index.top(BOARD, 10, board.length >> 1)),
    'around(member, 5)': await time(calls, () => index.around(BOARD, someone(), 5)),
    'set(1 member)': await time(calls, (i) =>
      index.set(BOARD, [{ member: someone(), score: randomInt(board.length), reachedAt: T0 + 86_400_000 + i }]),
    ),
  };
  await index.drop(BOARD);
  return { adapter, entries: board.length, loadSeconds, operations };
}

export async function timeRankIndexes(entries: number, calls: number, progress: (message: string) => void): Promise<IndexTiming[]> {
  const board = Array.from({ length: entries }, (_, i) => seedEntry(i, entries));

  progress(`rank index, in-process: loading ${entries.toLocaleString('en-US')} entries, then ${calls} calls per operation`);
  const memory = await timeAdapter('in-process', new MemoryRankIndex(), board, calls);

  progress(`rank index, Redis: same board on a throwaway redis-server`);
  const server = await startRedis();
  onCleanup(() => server.destroy());
  const client = new Redis(server.url, REDIS_CLIENT_OPTIONS);
  onCleanup(() => client.disconnect());
  if (!(await readyWithin(client, 5_000))) throw new Error('the throwaway redis-server did not accept a connection');
  const metrics = createMetrics();
  const redis = await timeAdapter(
    'Redis',
    new RedisRankIndex({ client, keyPrefix: 'bench:', breaker: createBreaker('redis', 5, 1_000, metrics) }),
    board,
    calls,
  );
  client.disconnect();
  await server.destroy();
  return [memory, redis];
}

/** One line per adapter and operation, for the report's notes. */
export function formatIndexTimings(timings: IndexTiming[]): string[] {
  return timings.flatMap(({ adapter, entries, loadSeconds, operations }) => [
    `  ${adapter}: replace() of ${entries.toLocaleString('en-US')} entries ${loadSeconds.toFixed(1)} s`,
    ...Object.entries(operations).map(
      ([name, { p50, p95, p99 }]) => `  ${adapter} ${name}: p50 ${p50.toFixed(3)} ms, p95 ${p95.toFixed(3)} ms, p99 ${p99.toFixed(3)} ms`,
    ),
  ]);
}
