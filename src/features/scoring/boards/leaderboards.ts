// Reading leaderboards (pages, my neighbourhood, my scores, snapshots) and the organizer's
// writes (new boards, a `set` score). Reads are TTL-cached and tagged with the board period,
// which every committed change invalidates; nextResetAt is computed per request, never cached.
import { AppError } from '../../../errors.js';
import type { Cache } from '../../../platform/cache/port.js';
import type { Db } from '../../../platform/db/client.js';
import type { BoardOperator, BoardReset } from '../../../domain/scoring.js';
import { pgErrorInfo } from '../../../platform/db/errors.js';
import { withTransaction } from '../../../platform/db/transaction.js';
import type { BoardIndex, Ranked } from './rank-index.js';
import type { BoardRow, BoardsStore } from './store.js';
import type { Boards } from './service.js';
import { boardTag, eventOfBoard, userScoresTag } from '../keys.js';
import type { Actor } from '../../../domain/accounts.js';
import type { Handles } from './handles.js';
import { isPeriodKey } from './periods.js';

const PAGE_TTL_SECONDS = 60;
const FOREIGN_KEY_VIOLATION = '23503';
const USER_SCORES_TTL_SECONDS = 300;
const MAX_SNAPSHOTS = 1_000;
/** Prefixes the server owns: events' boards appear with their events, games create theirs. */
const RESERVED_PREFIXES = ['event:', 'game:'];

export interface BoardView {
  name: string;
  operator: BoardOperator;
  reset: BoardReset;
  timeZone: string;
  resetHour: number;
  period: string;
  nextResetAt: string | null;
}

export interface Entry {
  rank: number;
  userId: string;
  handle: string;
  score: number;
}

export interface LeaderboardsDeps {
  db: Db;
  store: BoardsStore;
  boards: Boards;
  index: BoardIndex;
  cache: Cache;
  handles: Handles;
  registrations: { isConfirmedEntrant(eventId: string, userId: string): Promise<boolean> };
  now: () => Date;
}

export function createLeaderboards({ db, store, boards, index, cache, handles, registrations, now }: LeaderboardsDeps) {
  const entriesOf = async (ranked: Ranked[]): Promise<Entry[]> => {
    const names = await handles.of(ranked.map((entry) => entry.userId));
    return ranked.map((entry) => ({ rank: entry.rank, userId: entry.userId, handle: names.get(entry.userId) ?? '', score: entry.score }));
  };

  const viewOf = (board: BoardRow): BoardView => {
    const current = boards.current(board);
    return {
      name: board.name,
      operator: board.operator,
      reset: board.reset,
      timeZone: board.timeZone,
      resetHour: board.resetHour,
      period: current.period,
      nextResetAt: current.nextResetAt?.toISOString() ?? null,
    };
  };

  /** The board and the period asked for (the current one by default); 400 for a key that cannot exist. */
  async function locate(name: string, period: string | undefined) {
    const board = await boards.get(name);
    const current = boards.current(board);
    if (period !== undefined && !isPeriodKey(period, board.reset)) {
      throw new AppError('VALIDATION_FAILED', `period ${period} is not a ${board.reset} period key`, {
        errors: [{ field: 'period', message: board.reset === 'never' ? 'use "all"' : `e.g. ${current.period}` }],
      });
    }
    return { board, period: period ?? current.period, nextResetAt: current.nextResetAt?.toISOString() ?? null };
  }

  const page = cache.define({
    name: 'board-page',
    ttlSeconds: PAGE_TTL_SECONDS,
    load: async ({ board, period, limit, offset }: { board: string; period: string; limit: number; offset: number }) => {
      const [ranked, total] = await Promise.all([index.top(board, period, limit, offset), index.count(board, period)]);
      return { entries: await entriesOf(ranked), total };
    },
    tags: ({ board, period }) => [boardTag(board, period)],
  });

  const mine = cache.define({
    name: 'board-me',
    ttlSeconds: PAGE_TTL_SECONDS,
    load: async ({ board, period, userId, around }: { board: string; period: string; userId: string; around: number }) => {
      const [neighbours, total] = await Promise.all([index.around(board, period, userId, around), index.count(board, period)]);
      const me = neighbours.find((entry) => entry.userId === userId);
      return { rank: me?.rank ?? null, score: me?.score ?? null, total, entries: await entriesOf(neighbours) };
    },
    tags: ({ board, period }) => [boardTag(board, period)],
  });

  const userScores = cache.define({
    name: 'user-scores',
    ttlSeconds: USER_SCORES_TTL_SECONDS,
    load: (userId: string) => store.userScores(userId),
    tags: (userId) => [userScoresTag(userId)],
  });

  return {
    /** Every board; the public list may come from the replica, the start-up warming reads the primary. */
    async list({ fresh = false } = {}): Promise<BoardView[]> {
      return (await store.list(fresh ? db : db.read)).map(viewOf);
    },

    async create(
      actor: Actor,
      input: { name: string; operator?: BoardOperator; reset?: BoardReset; timeZone?: string; resetHour?: number },
    ): Promise<BoardView> {
      if (RESERVED_PREFIXES.some((prefix) => input.name.toLowerCase().startsWith(prefix))) {
        throw new AppError('VALIDATION_FAILED', `Board names starting with ${RESERVED_PREFIXES.join(' or ')} are created by the server`, {
          errors: [{ field: 'name', message: 'reserved prefix' }],
        });
      }
      return viewOf(await boards.ensureBoard(input.name, { ...input, createdBy: actor.id }));
    },

    async page(name: string, query: { period?: string; limit: number; offset: number }) {
      const { board, period, nextResetAt } = await locate(name, query.period);
      const { value, hit } = await page.get({ board: board.name, period, limit: query.limit, offset: query.offset });
      return { hit, value: { board: board.name, ...value, period, nextResetAt } };
    },

    async me(name: string, userId: string, query: { period?: string; around: number }) {
      const { board, period, nextResetAt } = await locate(name, query.period);
      const { value, hit } = await mine.get({ board: board.name, period, userId, around: query.around });
      return { hit, value: { board: board.name, period, nextResetAt, ...value } };
    },

    async myScores(userId: string) {
      const { value, hit } = await userScores.get(userId);
      return { hit, value: { scores: value } };
    },

    /**
     * The organizer's override: sets a user's score on a board they own to exactly this value,
     * whatever the board's operator (this is how a `set` board is written from the API). On an
     * event's board the user must be a confirmed entrant of the event.
     */
    async setScore(actor: Actor, name: string, userId: string, score: number) {
      const board = await boards.authorize(actor, name, 'set');
      const eventId = eventOfBoard(board.name);
      if (eventId && !(await registrations.isConfirmedEntrant(eventId, userId))) {
        throw new AppError('NOT_REGISTERED', `User ${userId} is not a confirmed entrant of event ${eventId}`);
      }
      let changes;
      try {
        changes = await withTransaction(db, (tx) => boards.applyScores(tx, [{ board: board.name, userId, value: score, reachedAt: now() }], 'set'));
      } catch (error) {
        // The only row a known board can miss here is the user's.
        if (pgErrorInfo(error)?.code === FOREIGN_KEY_VIOLATION) throw new AppError('NOT_FOUND', `No user ${userId}`);
        throw error;
      }
      const ranks = await boards.publish(changes);
      const change = changes[0]!;
      return { board: board.name, period: change.period, userId, score: change.score, rank: ranks.values().next().value ?? null };
    },

    async snapshots(name: string, from: Date | undefined, to: Date | undefined) {
      const board = await boards.get(name);
      const until = to ?? now();
      const since = from ?? new Date(until.getTime() - 86_400_000);
      if (since > until) throw new AppError('VALIDATION_FAILED', 'from must not be after to', { errors: [{ field: 'from', message: 'after to' }] });
      return {
        board: board.name,
        from: since.toISOString(),
        to: until.toISOString(),
        snapshots: await store.snapshots(board.name, since, until, MAX_SNAPSHOTS),
      };
    },
  };
}

export type Leaderboards = ReturnType<typeof createLeaderboards>;
