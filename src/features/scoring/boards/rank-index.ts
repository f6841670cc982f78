// Rankings of one board period: from the rank index when it can answer, from PostgreSQL when
// it cannot. PostgreSQL is the record: a period the index has not loaded (a fresh process, a
// Redis that restarted empty) or whose writes it missed (Redis was down) is rebuilt from
// leaderboard_scores before the index is trusted with it again. Only current periods are
// indexed: a period that is over is read from PostgreSQL, and its index is retired (dropped)
// once its final snapshot is written, so a year of daily boards does not keep 365 indexes.
import type { Logger } from 'pino';
import { positionsByKey } from '../../../platform/batch.js';
import { LockTimeoutError, type Locks } from '../../../platform/locks/port.js';
import type { Metrics } from '../../../platform/metrics.js';
import type { RankEntry, RankIndex, RankedMember } from '../../../platform/rank-index/port.js';
import type { BoardsStore, RankedRow, ScoreChange } from './store.js';
import type { Handles } from './handles.js';
import { indexKey } from './periods.js';

export interface Ranked {
  userId: string;
  score: number;
  reachedAt: number;
  rank: number;
}

export interface BoardIndexDeps {
  index: RankIndex;
  store: BoardsStore;
  /** Keeps the handles a rebuild scan read along, so pages of the board need no handle query. */
  handles: Pick<Handles, 'remember'>;
  /** Serializes rebuilds of one board across instances. */
  locks: Locks;
  metrics: Metrics;
  log: Logger;
  /** False once the period is over (or the board is gone): the index no longer serves it. */
  isCurrent: (board: string, period: string) => Promise<boolean>;
}

const RETRY_AFTER_FAILURE_MS = 1_000;
/** A million-entry rebuild takes seconds; waiters wait that long before PostgreSQL answers them. */
const REBUILD_LOCK = { leaseMs: 30_000, acquireTimeoutMs: 120_000 };

const fromEntry = (entry: RankEntry): Ranked => ({ userId: entry.member, score: entry.score, reachedAt: entry.reachedAt, rank: entry.rank });
const fromRow = (row: RankedRow): Ranked => ({ ...row });

export function createBoardIndex({ index, store, handles, locks, metrics, log, isCurrent }: BoardIndexDeps) {
  /** Periods whose index copy missed a write (or a rebuild failed): rebuilt before the next use. */
  const stale = new Set<string>();
  /** The periods this process loaded or wrote into the index, to retire once they are over. */
  const held = new Map<string, { board: string; period: string }>();
  // Writes and rebuilds go through one lane, so a rebuild never lands on top of a newer write.
  let lane: Promise<unknown> = Promise.resolve();
  const inLane = <T>(work: () => Promise<T>): Promise<T> => {
    const run = lane.then(work, work);
    lane = run.catch(() => undefined);
    return run;
  };

  /** After a failure PostgreSQL answers for a moment before the index is tried again, so an outage costs one timeout, not one per call. */
  const retryAt = new Map<string, number>();

  const coolingDown = (key: string) => (retryAt.get(key) ?? 0) > Date.now();

  const fallback = (key: string, error: unknown) => {
    stale.add(key);
    retryAt.set(key, Date.now() + RETRY_AFTER_FAILURE_MS);
    metrics.fallbacks.inc({ port: 'rank-index' });
    log.debug({ err: error, board: key }, 'rank index failed; answering from PostgreSQL');
  };

  async function rebuild(board: string, period: string, key: string): Promise<void> {
    const started = performance.now();
    const members: RankedMember[] = [];
    for await (const page of store.scan(board, period)) {
      handles.remember(page);
      for (const row of page) members.push({ member: row.userId, score: row.score, reachedAt: row.reachedAt, version: row.version });
    }
    await index.replace(key, members);
    stale.delete(key);
    log.info({ board: key, members: members.length, ms: Math.round(performance.now() - started) }, 'rank index rebuilt from PostgreSQL');
  }

  /**
   * Whether the index can answer for this period: 'held' when it already did, 'rebuilt' when it
   * had to be loaded from PostgreSQL first, 'unavailable' when it cannot or the period is over
   * (PostgreSQL answers).
   */
  async function readiness(board: string, period: string): Promise<'held' | 'rebuilt' | 'unavailable'> {
    const key = indexKey(board, period);
    if (coolingDown(key) || !(await isCurrent(board, period))) return 'unavailable';
    held.set(key, { board, period });
    try {
      // Asked even for a stale period: a store that is still down fails here, before a costly scan.
      const loaded = await index.isLoaded(key);
      retryAt.delete(key);
      if (loaded && !stale.has(key)) return 'held';
      await inLane(async () => {
        // Another caller may have rebuilt it while this one queued.
        if (!stale.has(key) && (await index.isLoaded(key))) return;
        // One instance at a time per board: instances that start together find it rebuilt
        // by the first one instead of each scanning PostgreSQL and loading it again.
        await locks.withLock(
          `rank-rebuild:${key}`,
          async () => {
            if (!stale.has(key) && (await index.isLoaded(key))) return;
            await rebuild(board, period, key);
          },
          REBUILD_LOCK,
        );
      });
      return 'rebuilt';
    } catch (error) {
      if (error instanceof LockTimeoutError) {
        // Another instance is still rebuilding it: nothing is wrong with what the index holds.
        retryAt.set(key, Date.now() + RETRY_AFTER_FAILURE_MS);
        log.info({ board: key }, 'rank index rebuild still running on another instance; answering from PostgreSQL meanwhile');
        return 'unavailable';
      }
      fallback(key, error);
      return 'unavailable';
    }
  }

  /** True once the index holds this period in full; false when it cannot (then PostgreSQL answers). */
  const ready = async (board: string, period: string) => (await readiness(board, period)) !== 'unavailable';

  /** Copies committed score changes into the index. Never throws: a failed write marks the period stale. */
  async function apply(changes: ScoreChange[]): Promise<void> {
    const byKey = new Map<string, { board: string; period: string; members: RankedMember[] }>();
    for (const change of changes) {
      const key = indexKey(change.board, change.period);
      let group = byKey.get(key);
      if (!group) byKey.set(key, (group = { board: change.board, period: change.period, members: [] }));
      group.members.push({ member: change.userId, score: change.score, reachedAt: change.reachedAt, version: change.version });
    }
    await Promise.all(
      [...byKey].map(async ([key, group]) => {
        // A period the index does not hold is rebuilt from PostgreSQL, which already has these changes.
        if (!(await ready(group.board, group.period))) return;
        try {
          await inLane(() => index.set(key, group.members));
        } catch (error) {
          fallback(key, error);
        }
      }),
    );
  }

  async function read<T>(board: string, period: string, fromIndex: (key: string) => Promise<T>, fromRecord: () => Promise<T>): Promise<T> {
    const key = indexKey(board, period);
    // The loaded check goes out first and the read right behind it, on the same connection, so
    // a read of a loaded board costs one round trip instead of two. The early answer counts
    // only if the board was held all along; after a rebuild (or a failed read) it is asked again.
    const state = readiness(board, period);
    const early =
      stale.has(key) || coolingDown(key)
        ? undefined
        : fromIndex(key).then(
            (value) => ({ value }),
            () => undefined,
          );
    const held = await state;
    if (held !== 'unavailable') {
      const answer = held === 'held' ? await early : undefined;
      if (answer) return answer.value;
      try {
        return await fromIndex(key);
      } catch (error) {
        fallback(key, error);
      }
    }
    return fromRecord();
  }

  return {
    ready,
    apply,

    rank: (board: string, period: string, userId: string): Promise<Ranked | undefined> =>
      read(
        board,
        period,
        async (key) => {
          const entry = await index.rank(key, userId);
          return entry && fromEntry(entry);
        },
        async () => {
          const row = await store.rank(board, period, userId);
          return row && fromRow(row);
        },
      ),

    /** Ranks of several users on several boards, in order: one index read per board period, however many users. */
    async ranksOf(places: Array<{ board: string; period: string; userId: string }>): Promise<Array<Ranked | undefined>> {
      const found: Array<Ranked | undefined> = new Array(places.length);
      await Promise.all(
        [...positionsByKey(places, (place) => indexKey(place.board, place.period)).values()].map(async (at) => {
          const { board, period } = places[at[0]!]!;
          const userIds = at.map((i) => places[i]!.userId);
          const ranked = await read(
            board,
            period,
            async (key) => (await index.ranks(key, userIds)).map((entry) => entry && fromEntry(entry)),
            () =>
              Promise.all(
                userIds.map(async (userId) => {
                  const row = await store.rank(board, period, userId);
                  return row && fromRow(row);
                }),
              ),
          );
          at.forEach((i, n) => (found[i] = ranked[n]));
        }),
      );
      return found;
    },

    top: (board: string, period: string, limit: number, offset = 0): Promise<Ranked[]> =>
      read(
        board,
        period,
        async (key) => (await index.top(key, limit, offset)).map(fromEntry),
        async () => (await store.top(board, period, limit, offset)).map(fromRow),
      ),

    around: (board: string, period: string, userId: string, radius: number): Promise<Ranked[]> =>
      read(
        board,
        period,
        async (key) => (await index.around(key, userId, radius)).map(fromEntry),
        async () => (await store.around(board, period, userId, radius)).map(fromRow),
      ),

    count: (board: string, period: string): Promise<number> =>
      read(
        board,
        period,
        (key) => index.count(key),
        () => store.count(board, period),
      ),

    /** The periods this process holds in the index, current or not (yet) retired. */
    held: () => [...held.values()],

    /** Drops a period that is over from the index, and what this process remembered about it. */
    async retire(board: string, period: string): Promise<void> {
      const key = indexKey(board, period);
      await inLane(() => index.drop(key));
      held.delete(key);
      stale.delete(key);
      retryAt.delete(key);
    },

    /** Forgets what this process believes about a period (after an organizer edit outside the batch path). */
    markStale(board: string, period: string) {
      stale.add(indexKey(board, period));
    },

    /** Resolves once queued index writes have run. */
    idle: () => inLane(async () => undefined),
  };
}

export type BoardIndex = ReturnType<typeof createBoardIndex>;
