// Rank index: the fast, rebuildable copy of leaderboard order. PostgreSQL holds the record;
// this answers "what is my rank" and "who is in the top N" in O(log n).
// Order: higher score first; equal scores rank by who reached the score first (lower reachedAt).

export interface RankedMember {
  member: string;
  score: number;
  /** Epoch milliseconds when the member reached this score; breaks ties. */
  reachedAt: number;
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
