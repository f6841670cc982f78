// Boards: their definitions, which period a score lands in, the operator applied in SQL inside
// the caller's transaction, and what happens after commit (rank index, caches, live pushes).
// This is the surface games use: ensureBoard() once, then submitScores().
import { AppError } from '../../../errors.js';
import type { Actor } from '../../../domain/accounts.js';
import type { Cache } from '../../../platform/cache/port.js';
import type { Db, Executor } from '../../../platform/db/client.js';
import { BOARD_OPERATORS, type BoardOperator } from '../../../domain/scoring.js';
import { withTransaction } from '../../../platform/db/transaction.js';
import type { BoardIndex } from './rank-index.js';
import type { BoardDefinition, BoardRow, BoardsStore, ScoreChange, ScoreInput } from './store.js';
import { boardTag, canonicalBoard, eventOfBoard, userScoresTag } from '../keys.js';
import type { Live } from './live.js';
import { indexKey, isValidTimeZone, nextResetAt, periodOf } from './periods.js';

/** Names fit a realtime channel id (`board:<name>`); '@' is kept for period index keys. */
export const BOARD_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$';

export interface ScoreEntry {
  board: string;
  userId: string;
  value: number;
  reachedAt: Date;
}

export interface EventsLookup {
  eventExists(eventId: string): Promise<boolean>;
  /** The organizer who created the event; undefined when there is no such event. */
  eventOrganizer(eventId: string): Promise<string | undefined>;
}

export interface BoardsDeps {
  db: Db;
  store: BoardsStore;
  index: BoardIndex;
  live: Live;
  cache: Cache;
  events: EventsLookup;
  now: () => Date;
  /** Told after every committed change, e.g. to snapshot the board or refresh home stats. */
  onChanged: (boards: string[]) => void;
}

export function createBoards({ db, store, index, live, cache, events, now, onChanged }: BoardsDeps) {
  // Boards are created, never edited, so a stored definition once read stays true.
  const known = new Map<string, BoardRow>();

  /**
   * The board, read only: never stores anything. An event's board exists as soon as the event
   * does; until something feeds it, it is answered with the default definition, unstored.
   */
  async function find(name: string): Promise<BoardRow | undefined> {
    const canonical = canonicalBoard(name);
    const cached = known.get(canonical);
    if (cached) return cached;
    const row = await store.find(canonical);
    if (row) {
      known.set(canonical, row);
      return row;
    }
    const eventId = eventOfBoard(canonical);
    return eventId && (await events.eventExists(eventId)) ? { ...eventBoardDefinition(canonical), createdAt: now() } : undefined;
  }

  async function get(name: string): Promise<BoardRow> {
    const row = await find(name);
    if (!row) throw new AppError('NOT_FOUND', `No leaderboard ${name}`);
    return row;
  }

  /** The board for a write: an event's board is stored on its first score. */
  async function stored(name: string): Promise<BoardRow> {
    const row = await get(name);
    if (known.has(row.name)) return row;
    const created = (await store.ensure(eventBoardDefinition(row.name))).row;
    known.set(created.name, created);
    return created;
  }

  /** Creates the board, or checks that the existing one has the same definition. */
  async function ensureBoard(name: string, options: Partial<Omit<BoardDefinition, 'name'>> = {}): Promise<BoardRow> {
    name = canonicalBoard(name);
    const definition: BoardDefinition = {
      name,
      operator: options.operator ?? 'incr',
      reset: options.reset ?? 'never',
      timeZone: options.timeZone ?? 'UTC',
      resetHour: options.resetHour ?? 0,
      createdBy: options.createdBy ?? null,
    };
    if (!new RegExp(BOARD_NAME_PATTERN).test(name))
      throw new AppError('VALIDATION_FAILED', `Board name ${name} does not match ${BOARD_NAME_PATTERN}`);
    if (!isValidTimeZone(definition.timeZone)) throw new AppError('VALIDATION_FAILED', `Unknown time zone ${definition.timeZone}`);
    const { row } = await store.ensure(definition);
    const same = (['operator', 'reset', 'timeZone', 'resetHour'] as const).every((field) => row[field] === definition[field]);
    if (!same) throw new AppError('BOARD_NAME_TAKEN', `Board ${name} already exists with another definition`, { board: row });
    known.set(name, row);
    return row;
  }

  const periodFor = (board: BoardRow, at: Date) => periodOf(at, board);

  /**
   * Ownership, beyond the organizer role: an event's board is its organizer's, any other board
   * its creator's; admins may do anything. `shared` is what an ownerless board (`global`, a
   * game's, one older than owners) allows: feeding it from an action type, but not overwriting
   * its scores.
   */
  async function authorize(actor: Actor, name: string, use: 'feed' | 'set'): Promise<BoardRow> {
    const board = await get(name);
    if (actor.role === 'admin') return board;
    const eventId = eventOfBoard(board.name);
    if (eventId) {
      if ((await events.eventOrganizer(eventId)) !== actor.id)
        throw new AppError('FORBIDDEN', `Only the organizer of event ${eventId}, or an admin, may ${VERBS[use]} its board`);
      return board;
    }
    if (board.createdBy === actor.id || (board.createdBy === null && use === 'feed')) return board;
    throw new AppError('FORBIDDEN', `Only the organizer who created board ${board.name}, or an admin, may ${VERBS[use]} it`);
  }

  /**
   * Applies the entries inside `tx` with each board's operator, several entries for one user
   * folded first (one upsert per row and operator). Boards must exist. `operator` overrides the
   * boards' own (an organizer's `set`).
   */
  async function applyScores(tx: Executor, entries: ScoreEntry[], operator?: BoardOperator): Promise<ScoreChange[]> {
    const folded = new Map<string, { operator: BoardOperator; input: ScoreInput }>();
    for (const entry of entries) {
      const board = await stored(entry.board);
      const period = periodFor(board, entry.reachedAt);
      const key = `${indexKey(board.name, period)}\n${entry.userId}`;
      const current = folded.get(key);
      if (!current) {
        folded.set(key, {
          operator: operator ?? board.operator,
          input: { board: board.name, period, userId: entry.userId, value: entry.value, reachedAt: entry.reachedAt },
        });
      } else {
        current.input = fold(current.operator, current.input, entry);
      }
    }
    const changes: ScoreChange[] = [];
    for (const each of BOARD_OPERATORS) {
      const inputs = [...folded.values()].filter((item) => item.operator === each).map((item) => item.input);
      changes.push(...(await store.apply(tx, each, inputs)));
    }
    return changes;
  }

  /**
   * After commit: the rank index first (it answers the ranks), then caches, then live pushes.
   * Returns each change's rank, keyed by `changeKey`.
   */
  async function publish(changes: ScoreChange[]): Promise<Map<string, number | null>> {
    const ranks = new Map<string, number | null>();
    if (changes.length === 0) return ranks;
    await index.apply(changes);
    const ranked = await index.ranksOf(changes);
    changes.forEach((change, i) => ranks.set(changeKey(change.board, change.period, change.userId), ranked[i]?.rank ?? null));
    const tags = new Set<string>();
    for (const change of changes) {
      tags.add(boardTag(change.board, change.period));
      tags.add(userScoresTag(change.userId));
    }
    await cache.invalidate([...tags]);
    live.scores(
      changes.map((change) => [
        change.userId,
        {
          board: change.board,
          period: change.period,
          score: change.score,
          rank: ranks.get(changeKey(change.board, change.period, change.userId)) ?? null,
          delta: change.score - (change.previous ?? 0),
        },
      ]),
    );
    const boards = new Set(changes.map((change) => change.board));
    for (const board of boards) live.boardChanged(board);
    onChanged([...boards]);
    return ranks;
  }

  return {
    find,
    get,
    ensureBoard,
    periodFor,
    authorize,
    applyScores,
    publish,
    current: (board: BoardRow) => ({ period: periodFor(board, now()), nextResetAt: nextResetAt(now(), board) }),

    /**
     * Games' entry point. With `tx`, the entries join the caller's transaction and the caller
     * must run `afterCommit()` once it commits; without, they commit on their own first.
     */
    async submitScores(tx: Executor | undefined, entries: ScoreEntry[]) {
      for (const entry of entries) validateEntry(entry);
      for (const board of new Set(entries.map((entry) => entry.board))) await get(board);
      const changes = tx ? await applyScores(tx, entries) : await withTransaction(db, (own) => applyScores(own, entries));
      const afterCommit = () => publish(changes);
      if (!tx) await afterCommit();
      return { changes, afterCommit };
    },
  };
}

export type Boards = ReturnType<typeof createBoards>;

const VERBS = { feed: 'feed', set: 'set scores on' } as const;

const eventBoardDefinition = (name: string): BoardDefinition => ({
  name,
  operator: 'incr',
  reset: 'never',
  timeZone: 'UTC',
  resetHour: 0,
  createdBy: null,
});

export const changeKey = (board: string, period: string, userId: string) => `${indexKey(board, period)}\n${userId}`;

function validateEntry(entry: ScoreEntry): void {
  if (!Number.isSafeInteger(entry.value) || entry.value < 0)
    throw new AppError('VALIDATION_FAILED', `Score for ${entry.userId} must be a whole number >= 0`);
  if (!(entry.reachedAt instanceof Date) || Number.isNaN(entry.reachedAt.getTime()))
    throw new AppError('VALIDATION_FAILED', 'reachedAt must be a valid date');
}

/** Two entries for one row within a batch, merged as applying them in turn would. */
function fold(operator: BoardOperator, current: ScoreInput, next: ScoreEntry): ScoreInput {
  switch (operator) {
    case 'incr':
      return {
        ...current,
        value: current.value + next.value,
        reachedAt: next.value !== 0 && next.reachedAt > current.reachedAt ? next.reachedAt : current.reachedAt,
      };
    case 'best':
      if (next.value > current.value || (next.value === current.value && next.reachedAt < current.reachedAt)) {
        return { ...current, value: next.value, reachedAt: next.reachedAt };
      }
      return current;
    case 'set':
      return { ...current, value: next.value, reachedAt: next.reachedAt };
  }
}
