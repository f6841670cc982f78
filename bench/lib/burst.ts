// Figures of a burst sent with the rush client (one request per client, at most N in flight):
// throughput over first request -> last answer, latencies, how long after the last arrival the
// last answer came, and the server's CPU per answer.
import type { RushAnswer } from '../../test/harness/rush.js';
import { countStatuses } from '../../test/harness/rush.js';
import { percentile, type LoadResult } from './load.js';

export const ms = (n: number) => `${Math.round(n).toLocaleString('en-US')} ms`;

export interface BurstFigures extends LoadResult {
  /** Last answer minus last arrival. */
  tailMs: number;
  unanswered: number;
  serverErrors: number;
  notes: string[];
}

export function summarizeBurst(answers: RushAnswer[], cpuUsPerRequest: (requests: number) => Record<string, number>): BurstFigures {
  const answered = answers.filter((answer) => answer.status !== 0);
  const latencies = Float64Array.from(answered, (answer) => answer.answeredAt - answer.sentAt).sort();
  const waits = Float64Array.from(answered, (answer) => answer.answeredAt - answer.arrivedAt).sort();
  const firstSent = Math.min(...answers.map((answer) => answer.sentAt));
  const lastAnswer = Math.max(...answered.map((answer) => answer.answeredAt));
  const lastArrival = Math.max(...answers.map((answer) => answer.arrivedAt));
  return {
    requestsPerSec: answered.length / ((lastAnswer - firstSent) / 1000),
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    totalRequests: answered.length,
    responses: answered.length,
    errors: answers.length - answered.length,
    non2xx: answered.filter((answer) => answer.status < 200 || answer.status > 299).length,
    statuses: countStatuses(answered),
    cpuUsPerRequest: cpuUsPerRequest(answered.length),
    tailMs: lastAnswer - lastArrival,
    unanswered: answers.length - answered.length,
    serverErrors: answered.filter((answer) => answer.status >= 500).length,
    notes: [
      `latency above is request sent -> answer; from arrival (client-side queueing included): ` +
        `p50 ${ms(percentile(waits, 50))}, p99 ${ms(percentile(waits, 99))}, max ${ms(waits[waits.length - 1] ?? Number.NaN)}`,
      `first request -> last answer: ${ms(lastAnswer - firstSent)}; last arrival at ${ms(lastArrival)}`,
      `replayed answers (Idempotent-Replayed): ${answered.filter((answer) => answer.headers['idempotent-replayed'] === 'true').length}`,
    ],
  };
}
