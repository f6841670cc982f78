// How far a streaming replica is behind its primary, in milliseconds.
//
// `now() - pg_last_xact_replay_timestamp()` on the replica is the usual measure, but it only
// moves with commits: on an idle primary it grows for ever although the replica has everything,
// and comparing the replica's own receive and replay positions says nothing when the WAL
// receiver is cut off from the primary (both stand still while the primary moves on). So each
// tick samples the primary's current WAL position with the time it was read, and the lag is
// the age of the oldest sample the replica has not replayed yet: how long the replica has been
// missing a change the primary had. An idle primary adds no samples, so a replica that has
// replayed everything reads 0 however long nothing happens. Both times come from this process's
// clock, so skew between the servers' clocks does not enter. The figure reads low by at most one
// sampling interval (the change may have been on the primary a little before it was sampled).

/** A WAL position ("16/B374D848") as one comparable number. */
export function parseLsn(lsn: string): bigint {
  const [high, low] = lsn.split('/');
  if (high === undefined || low === undefined) throw new Error(`not a WAL position: ${lsn}`);
  return (BigInt(`0x${high}`) << 32n) + BigInt(`0x${low}`);
}

/** Samples kept at most (10 minutes at the default interval); later ones thin out, the oldest is kept. */
const MAX_SAMPLES = 600;

export function createLagTracker() {
  // Primary positions the replica had not replayed when last asked, oldest first.
  const pending: Array<{ at: number; lsn: bigint }> = [];
  return {
    /** The primary's WAL position, read at `at` (epoch ms). */
    primaryAt(lsn: bigint, at: number): void {
      const last = pending[pending.length - 1];
      if (last && last.lsn >= lsn) return;
      pending.push({ at, lsn });
      // Dropping the second oldest keeps the figure's lower bound (the oldest) exact.
      if (pending.length > MAX_SAMPLES) pending.splice(1, 1);
    },
    /** The replica's replayed position, read at `now`; returns the lag in ms. */
    replayedAt(lsn: bigint, now: number): number {
      while (pending.length > 0 && pending[0]!.lsn <= lsn) pending.shift();
      return pending.length === 0 ? 0 : Math.max(0, now - pending[0]!.at);
    },
  };
}

export type LagTracker = ReturnType<typeof createLagTracker>;
