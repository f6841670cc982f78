// Snapshots: every interval, the top N of each board that changed during it is written to
// scoreboard_snapshots. Each instance snapshots the boards it changed; the row's key is the
// interval's start, so instances racing on one tick write one row, without a lock. A period
// that is over gets its final snapshot, then its rank index is retired.
import type { Logger } from 'pino';
import type { BoardIndex } from './rank-index.js';
import type { BoardsStore, SnapshotEntry } from './store.js';
import type { Boards } from './service.js';
import type { Handles } from './handles.js';

export interface SnapshotsDeps {
  store: BoardsStore;
  boards: Boards;
  index: BoardIndex;
  handles: Handles;
  intervalSeconds: number;
  topN: number;
  now: () => Date;
  log: Logger;
}

export function createSnapshots({ store, boards, index, handles, intervalSeconds, topN, now, log }: SnapshotsDeps) {
  const changed = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;

  /** The start of the interval holding `instant`. */
  const bucket = (instant: Date) => new Date(Math.floor(instant.getTime() / (intervalSeconds * 1000)) * intervalSeconds * 1000);

  async function snapshot(name: string, period: string, takenAt: Date): Promise<boolean> {
    const board = await boards.get(name);
    const top = await index.top(board.name, period, topN);
    const names = await handles.of(top.map((entry) => entry.userId));
    const entries: SnapshotEntry[] = top.map((entry) => ({
      rank: entry.rank,
      userId: entry.userId,
      handle: names.get(entry.userId) ?? '',
      score: entry.score,
    }));
    return store.insertSnapshot(board.name, period, takenAt, entries);
  }

  /** Snapshots the boards changed since the last tick; returns how many rows this instance wrote. */
  async function tick(): Promise<number> {
    const names = [...changed];
    changed.clear();
    const takenAt = bucket(now());
    let written = 0;
    for (const name of names) {
      try {
        if (await snapshot(name, boards.current(await boards.get(name)).period, takenAt)) written++;
      } catch (error) {
        // Kept for the next tick rather than lost.
        changed.add(name);
        log.warn({ err: error, board: name }, 'leaderboard snapshot failed');
      }
    }
    return written + (await retirePast(takenAt));
  }

  /** Final snapshots of the periods that are over, then their indexes go. */
  async function retirePast(takenAt: Date): Promise<number> {
    let written = 0;
    for (const { board, period } of index.held()) {
      try {
        const row = await boards.find(board);
        if (row && boards.current(row).period === period) continue;
        if (row && (await snapshot(board, period, takenAt))) written++;
        await index.retire(board, period);
      } catch (error) {
        // Still held, so the next tick tries again.
        log.warn({ err: error, board, period }, 'could not retire a past leaderboard period');
      }
    }
    return written;
  }

  const runTick = () => (running ??= tick().finally(() => (running = undefined)));

  return {
    changed(names: string[]) {
      for (const name of names) changed.add(name);
    },
    tick: runTick,
    start() {
      timer ??= setInterval(() => void runTick(), intervalSeconds * 1000).unref();
    },
    async close() {
      clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}

export type Snapshots = ReturnType<typeof createSnapshots>;
