// The run's figures next to the ceiling, as a Markdown table (pasteable into docs/benchmarks.md)
// or as JSON.
import { cpus } from 'node:os';
import type { LoadResult } from './load.js';
import type { Measurement } from './scenario.js';

export interface RunInfo {
  scenario: string;
  command: string;
  backend: string;
  duration: number;
  connections: number;
  warmup: number;
}

export interface Report extends RunInfo {
  date: string;
  machine: string;
  ceiling: { before: LoadResult; after: LoadResult; requestsPerSec: number; drift: number };
  results: (Measurement & { ratio: number })[];
  /** No connection errors and no non-2xx answers anywhere, the ceiling included. */
  clean: boolean;
}

const isClean = (result: LoadResult) => result.errors === 0 && result.non2xx === 0;

export function buildReport(info: RunInfo, ceilingBefore: LoadResult, ceilingAfter: LoadResult, measurements: Measurement[]): Report {
  // The machine is shared and noisy: the ceiling is the mean of a run before and one after,
  // and their drift says how much the figures can be trusted.
  const ceiling = (ceilingBefore.requestsPerSec + ceilingAfter.requestsPerSec) / 2;
  const cores = cpus();
  return {
    ...info,
    date: new Date().toISOString(),
    machine: `${cores.length} × ${cores[0]?.model.trim() ?? 'unknown CPU'}, Node ${process.version}`,
    ceiling: {
      before: ceilingBefore,
      after: ceilingAfter,
      requestsPerSec: ceiling,
      drift: ceilingAfter.requestsPerSec / ceilingBefore.requestsPerSec - 1,
    },
    results: measurements.map((measurement) => ({ ...measurement, ratio: measurement.requestsPerSec / ceiling })),
    clean: [ceilingBefore, ceilingAfter, ...measurements].every(isClean),
  };
}

const whole = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number) => n.toFixed(2);
const percent = (n: number) => `${n >= 0 ? '+' : ''}${(n * 100).toFixed(1)} %`;
const statuses = (result: LoadResult) =>
  [
    ...Object.entries(result.statuses).map(([status, count]) => `${status}: ${whole(count)}`),
    ...(result.errors > 0 ? [`no answer: ${whole(result.errors)}`] : []),
  ].join(', ') || 'none';

/** The server's own CPU first, then postgres and redis-server when they ran. */
const cpuOf = (result: LoadResult) =>
  Object.entries(result.cpuUsPerRequest ?? {})
    .map(([name, us]) => `${name} ${Number.isFinite(us) ? whole(us) : '?'}`)
    .join(', ') || '—';

function row(cells: string[]): string {
  return `| ${cells.join(' | ')} |`;
}

export function formatReport(report: Report): string {
  const line = (label: string, method: string, path: string, result: LoadResult, ratio: number) =>
    row([
      label,
      `${method} ${path}`,
      whole(result.requestsPerSec),
      ms(result.p50),
      ms(result.p95),
      ms(result.p99),
      statuses(result),
      ratio.toFixed(2),
      cpuOf(result),
    ]);
  const { ceiling } = report;
  const lines = [
    `Scenario: ${report.scenario} — ${report.backend}`,
    `Command:  ${report.command}`,
    `Date:     ${report.date}`,
    `Machine:  ${report.machine}`,
    `Load:     ${report.connections} connections, ${report.duration} s per target after ${report.warmup} s warm-up`,
    '',
    row(['target', 'request', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'responses', 'ratio', 'CPU µs/req']),
    row(['---', '---', '---:', '---:', '---:', '---:', '---', '---:', '---']),
    line('ceiling, before', 'GET', '/bare', ceiling.before, ceiling.before.requestsPerSec / ceiling.requestsPerSec),
    ...report.results.map((result) => line(result.name, result.method, result.path, result, result.ratio)),
    line('ceiling, after', 'GET', '/bare', ceiling.after, ceiling.after.requestsPerSec / ceiling.requestsPerSec),
    '',
    `Ceiling: ${whole(ceiling.requestsPerSec)} req/s (bare Fastify, mean of before and after; drift ${percent(ceiling.drift)}).`,
    'Ratio: req/s over the ceiling. Latencies cover every response.',
    "CPU µs/req: each process's CPU time (user + system, from /proc) over the answers it gave, warm-up included.",
  ];
  for (const result of report.results) {
    if (!result.notes?.length && result.targetRatio === undefined) continue;
    lines.push('', `${result.name}:`, ...(result.notes ?? []).map((note) => `- ${note}`));
    if (result.targetRatio !== undefined) {
      const met = result.ratio >= result.targetRatio ? 'met' : 'MISSED';
      lines.push(`- goal: throughput >= ${result.targetRatio.toFixed(2)} of the ceiling: ${met} (${result.ratio.toFixed(2)})`);
    }
  }
  if (!report.clean) lines.push('', 'WARNING: some requests failed or answered non-2xx; see the responses column. These figures are not valid.');
  return lines.join('\n');
}
