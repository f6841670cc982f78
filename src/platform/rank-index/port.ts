// Rank index: the fast, rebuildable copy of leaderboard order. PostgreSQL holds the record;
// this answers "what is my rank" and "who is in the top N" in O(log n).
// Order: higher score first; equal scores rank by who reached the score first (lower reachedAt);
// a tie on both goes by member, ascending (so ranks are total and the same on every adapter).
// Methods reject bad input with a RangeError and an unreachable store with RankIndexUnavailableError.

export interface RankedMember {
  member: string;
  score: number;
  /** Epoch milliseconds when the member reached this score; breaks ties. */
  reachedAt: number;
  /**
   * How many times the record has written this member's score (leaderboard_scores.version).
   * When given, a write whose version is not above the one held is ignored: two instances'
   * writes can reach the index out of commit order, and the older score must not win.
   */
  version?: number;
}

export interface RankEntry extends RankedMember {
  /** 1-based. */
  rank: number;
}

export interface RankIndex {
  /** Sets (inserts or replaces) members' scores. The caller applies incr/best/set semantics. */
  set(board: string, members: RankedMember[]): Promise<void>;
  remove(board: string, member: string): Promise<void>;
  rank(board: string, member: string): Promise<RankEntry | undefined>;
  /** Each member's entry, in the order asked, in one round trip (a batch's ranks). */
  ranks(board: string, members: string[]): Promise<Array<RankEntry | undefined>>;
  top(board: string, limit: number, offset?: number): Promise<RankEntry[]>;
  /** The member and up to `radius` neighbours on each side; empty when the member is not ranked. */
  around(board: string, member: string, radius: number): Promise<RankEntry[]>;
  count(board: string): Promise<number>;
  /** Replaces a board's whole contents at once (a rebuild from PostgreSQL) and marks it loaded. */
  replace(board: string, members: RankedMember[]): Promise<void>;
  /** False when the board was never loaded here or its data was lost (e.g. Redis restarted empty). */
  isLoaded(board: string): Promise<boolean>;
  drop(board: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Thrown by an adapter whose store cannot answer (Redis down, or its breaker open), quickly
 * rather than after a hang, so the caller can answer from PostgreSQL instead.
 */
export class RankIndexUnavailableError extends Error {
  constructor(cause: unknown) {
    super('rank index unavailable', { cause });
    this.name = 'RankIndexUnavailableError';
  }
}

/** The latest reachedAt an index accepts: 13 decimal digits of epoch ms, the year 2286. */
export const MAX_REACHED_AT = 9_999_999_999_999;

/** Both adapters refuse the same input, so they can never disagree on what they hold. */
export function assertRankedMember({ member, score, reachedAt, version }: RankedMember): void {
  if (typeof member !== 'string' || member.length === 0) throw new RangeError('rank index: member must be a non-empty string');
  if (!Number.isFinite(score)) throw new RangeError(`rank index: score of ${member} must be a finite number`);
  if (!Number.isInteger(reachedAt) || reachedAt < 0 || reachedAt > MAX_REACHED_AT) {
    throw new RangeError(`rank index: reachedAt of ${member} must be epoch milliseconds from 0 to ${MAX_REACHED_AT}`);
  }
  if (version !== undefined && (!Number.isSafeInteger(version) || version < 0))
    throw new RangeError(`rank index: version of ${member} must be a whole number >= 0`);
}

export function assertCount(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`rank index: ${name} must be a whole number >= 0`);
}

/** True when a write of `incoming` must not replace what is held (it is not newer). */
export function isOutdated(incoming: number | undefined, held: number | undefined): boolean {
  return incoming !== undefined && held !== undefined && incoming <= held;
}

/** One entry per member, as if each had been set in turn: the last one given wins, unless outdated. */
export function latestPerMember(members: RankedMember[]): RankedMember[] {
  const latest = new Map<string, RankedMember>();
  for (const entry of members) {
    assertRankedMember(entry);
    if (!isOutdated(entry.version, latest.get(entry.member)?.version)) latest.set(entry.member, entry);
  }
  return [...latest.values()];
}
