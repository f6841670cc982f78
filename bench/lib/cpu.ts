// CPU time of the processes under load, from /proc (Linux): CPU per request is steadier than
// req/s on a shared machine, and it is the figure that predicts the cost at scale.
import { readFileSync } from 'node:fs';
import { childrenOf } from '../../test/harness/processes.js';

/** /proc reports CPU in clock ticks of USER_HZ, which Linux fixes at 100 a second. */
const TICKS_PER_MS = 0.1;

/** utime, stime, cutime, cstime in ms; zeros for a process that has gone. */
function times(pid: number): [number, number, number, number] {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name: state is 3rd, utime the 14th overall.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return [11, 12, 13, 14].map((i) => Number(fields[i]) / TICKS_PER_MS) as [number, number, number, number];
  } catch {
    return [0, 0, 0, 0];
  }
}

/** A process's own CPU ms so far (all its threads). */
export const processCpuMs = (pid: number) => {
  const [user, system] = times(pid);
  return user + system;
};

/**
 * A server and its worker processes (PostgreSQL's postmaster and backends): the live children's
 * CPU plus what ended children left in the parent's cutime and cstime.
 */
export const processTreeCpuMs = (pid: number) => {
  const [user, system, reapedUser, reapedSystem] = times(pid);
  return user + system + reapedUser + reapedSystem + childrenOf(pid).reduce((sum, child) => sum + processCpuMs(child), 0);
};

/** Named CPU readings in ms; undefined pid readings count as zero. */
export type CpuProbes = Record<string, () => number>;

/** Starts a reading; the returned function gives each probe's CPU µs per request since then. */
export function startCpuReading(probes: CpuProbes): (requests: number) => Record<string, number> {
  const before = Object.fromEntries(Object.entries(probes).map(([name, read]) => [name, read()]));
  return (requests) =>
    Object.fromEntries(
      Object.entries(probes).map(([name, read]) => [name, requests > 0 ? ((read() - before[name]!) * 1000) / requests : Number.NaN]),
    );
}
