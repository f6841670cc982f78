// Live pushes. `user:<id>` gets a `score` event for each committed change (a batch's sent
// together); `board:<name>` gets the current period's top N as a `leaderboard` event, coalesced
// to at most one per 250 ms per board and read from the rank index at flush time, so it never
// waits for a cache TTL.
import type { Logger } from 'pino';
import { createCoalescer } from '../../../platform/push/coalescer.js';
import type { Push } from '../../../platform/push/port.js';
import type { Ranked } from './rank-index.js';
import type { Handles } from './handles.js';
import { boardChannel } from '../keys.js';

export const BOARD_PUSH_INTERVAL_MS = 250;

export interface ScorePush {
  board: string;
  period: string;
  score: number;
  rank: number | null;
  delta: number;
}

export interface LeaderboardPush {
  board: string;
  period: string;
  /** Grows with every push of this board, so a client can drop one that arrives late. */
  version: number;
  entries: Array<{ rank: number; userId: string; handle: string; score: number; entered?: true }>;
}

export interface LiveDeps {
  push: Push;
  handles: Handles;
  topN: number;
  /** The current period's top N of a board, or undefined when the board is gone. */
  currentTop: (board: string, limit: number) => Promise<{ period: string; entries: Ranked[] } | undefined>;
  log: Logger;
}

export function createLive({ push, handles, topN, currentTop, log }: LiveDeps) {
  const lastPushed = new Map<string, { period: string; members: Set<string>; version: number }>();

  const flush = async (board: string) => {
    const top = await currentTop(board, topN);
    if (!top) return;
    const previous = lastPushed.get(board);
    // A new period starts empty: everyone in its first push has entered it. (So does the first
    // push of a board after a restart, since this process has not seen the earlier top.)
    const before = previous?.period === top.period ? previous.members : new Set<string>();
    const names = await handles.of(top.entries.map((entry) => entry.userId));
    const version = Math.max((previous?.version ?? 0) + 1, Date.now());
    const payload: LeaderboardPush = {
      board,
      period: top.period,
      version,
      entries: top.entries.map((entry) => ({
        rank: entry.rank,
        userId: entry.userId,
        handle: names.get(entry.userId) ?? '',
        score: entry.score,
        ...(before.has(entry.userId) ? {} : { entered: true as const }),
      })),
    };
    lastPushed.set(board, { period: top.period, members: new Set(top.entries.map((entry) => entry.userId)), version });
    push.toChannel(boardChannel(board), 'leaderboard', payload);
  };

  const coalescer = createCoalescer<string>(BOARD_PUSH_INTERVAL_MS, flush, (error, board) =>
    log.warn({ err: error, board }, 'leaderboard push failed'),
  );

  return {
    /** A batch's `score` events, one per change, sent together (one message between instances). */
    scores(changes: Array<[userId: string, change: ScorePush]>) {
      push.toUsers('score', changes);
    },
    boardChanged(board: string) {
      coalescer.schedule(board);
    },
    close() {
      coalescer.close();
    },
  };
}

export type Live = ReturnType<typeof createLive>;
