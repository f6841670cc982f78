// SQL for leaderboards: board definitions, the operator upserts, rankings read straight from
// PostgreSQL (rebuilds and the fallback when the rank index is down) and snapshots.
// Raw SQL returns timestamps and bigints differently on pg and PGlite, so every query casts
// them to float8 (epoch milliseconds, scores) and the rows are mapped here.
import { asc, eq, sql, type SQL } from 'drizzle-orm';
import type { Db, Executor } from '../../../platform/db/client.js';
import { leaderboards } from '../../../platform/db/schema.js';
import type { BoardOperator, BoardReset } from '../../../domain/scoring.js';
import { epochMs, parseJson, rows as queryRows, type Row } from '../../../platform/db/rows.js';

export type BoardRow = typeof leaderboards.$inferSelect;

export interface BoardDefinition {
  name: string;
  operator: BoardOperator;
  reset: BoardReset;
  timeZone: string;
  resetHour: number;
  createdBy: string | null;
}

export interface ScoreInput {
  board: string;
  period: string;
  userId: string;
  value: number;
  reachedAt: Date;
}

export interface ScoreChange {
  board: string;
  period: string;
  userId: string;
  score: number;
  /** Epoch milliseconds. */
  reachedAt: number;
  /** The score before this change; null for a new entry. */
  previous: number | null;
  /** The row's write count after this change (leaderboard_scores.version). */
  version: number;
}

/** A row as a rebuild loads it into the rank index. */
export interface ScannedRow {
  userId: string;
  /** The display name, read along so a rebuilt board can name any page without another query. */
  handle: string;
  score: number;
  reachedAt: number;
  version: number;
}

export interface RankedRow {
  userId: string;
  score: number;
  reachedAt: number;
  rank: number;
}

export interface SnapshotEntry {
  rank: number;
  userId: string;
  handle: string;
  score: number;
}

const ms = epochMs;

// How an existing row meets a new value, per operator. reached_at moves only when the score
// does, so an equal score keeps its place in the tie order.
const MERGE: Record<BoardOperator, SQL> = {
  incr: sql`score = s.score + excluded.score,
    reached_at = case when excluded.score <> 0 then excluded.reached_at else s.reached_at end`,
  best: sql`score = greatest(s.score, excluded.score),
    reached_at = case when excluded.score > s.score then excluded.reached_at else s.reached_at end`,
  set: sql`score = excluded.score,
    reached_at = case when excluded.score <> s.score then excluded.reached_at else s.reached_at end`,
};

/** Tie order of the rank index: score down, then who got there first, then user id. Spelled as the index is (the table columns, nulls last) so the planner walks it. */
const RANK_ORDER = sql`s.score desc nulls last, s.reached_at asc, s.user_id asc`;

export function createBoardsStore(db: Db) {
  return {
    async find(name: string, ex: Executor = db): Promise<BoardRow | undefined> {
      const [row] = await ex.select().from(leaderboards).where(eq(leaderboards.name, name));
      return row;
    },

    async list(ex: Executor = db): Promise<BoardRow[]> {
      return ex.select().from(leaderboards).orderBy(asc(leaderboards.name));
    },

    /** Creates the board unless it exists; returns the stored definition either way. */
    async ensure(definition: BoardDefinition, ex: Executor = db): Promise<{ row: BoardRow; created: boolean }> {
      const [created] = await ex.insert(leaderboards).values(definition).onConflictDoNothing().returning();
      if (created) return { row: created, created: true };
      return { row: (await this.find(definition.name, ex))!, created: false };
    },

    /**
     * One upsert per operator for a batch. `inputs` must hold one entry per (board, period,
     * user) for this operator; they are written in key order so concurrent batches lock rows
     * in the same order.
     */
    async apply(ex: Executor, operator: BoardOperator, inputs: ScoreInput[]): Promise<ScoreChange[]> {
      if (inputs.length === 0) return [];
      const rows = [...inputs].sort((a, b) => compareKeys(a, b));
      const result = await queryRows(
        ex,
        sql`
        with input (board, period, user_id, value, reached_at) as (
          select * from unnest(${sql.param(rows.map((r) => r.board))}::text[], ${sql.param(rows.map((r) => r.period))}::text[],
            ${sql.param(rows.map((r) => r.userId))}::uuid[], ${sql.param(rows.map((r) => r.value))}::bigint[],
            ${sql.param(rows.map((r) => r.reachedAt.toISOString()))}::timestamptz[])
        ), previous as (
          select s.board, s.period, s.user_id, s.score from leaderboard_scores s
          join input i on s.board = i.board and s.period = i.period and s.user_id = i.user_id
        ), upserted as (
          insert into leaderboard_scores as s (board, period, user_id, score, reached_at)
          select board, period, user_id, value, reached_at from input
          on conflict (board, period, user_id) do update set ${MERGE[operator]}, version = s.version + 1
          returning s.board, s.period, s.user_id, s.score, s.reached_at, s.version
        )
        select u.board, u.period, u.user_id, u.score::float8 as score, ${ms(sql`u.reached_at`)} as reached_at, p.score::float8 as previous,
          u.version::float8 as version
        from upserted u left join previous p on p.board = u.board and p.period = u.period and p.user_id = u.user_id`,
      );
      return result.map((row) => ({
        board: String(row.board),
        period: String(row.period),
        userId: String(row.user_id),
        score: Number(row.score),
        reachedAt: Number(row.reached_at),
        previous: row.previous === null ? null : Number(row.previous),
        version: Number(row.version),
      }));
    },

    /**
     * The whole ranking of one period, for a rebuild, in pages along the primary key (the index
     * sorts). Each handle is a primary-key probe: a join would hash all users once per page.
     */
    async *scan(board: string, period: string, pageSize = 50_000): AsyncGenerator<ScannedRow[]> {
      let after: string | undefined;
      for (;;) {
        const cursor = after ? sql`and s.user_id > ${after}::uuid` : sql``;
        const result = await queryRows(
          db,
          sql`
          select s.user_id, (select u.handle from users u where u.id = s.user_id) as handle,
            s.score::float8 as score, ${ms(sql`s.reached_at`)} as reached_at, s.version::float8 as version
          from leaderboard_scores s
          where s.board = ${board} and s.period = ${period} ${cursor} order by s.user_id limit ${pageSize}`,
        );
        const page = result.map((row) => ({
          userId: String(row.user_id),
          handle: String(row.handle),
          score: Number(row.score),
          reachedAt: Number(row.reached_at),
          version: Number(row.version),
        }));
        if (page.length === 0) return;
        yield page;
        after = page.at(-1)!.userId;
        if (page.length < pageSize) return;
      }
    },

    /** A public page: it may come from the replica. */
    async top(board: string, period: string, limit: number, offset: number, ex: Executor = db.read): Promise<RankedRow[]> {
      const rows = await rankedRows(ex, sql`s.board = ${board} and s.period = ${period}`, limit, offset);
      return rows.map((row, index) => ({ ...row, rank: offset + index + 1 }));
    },

    /** A member and the `radius` ranks either side, from the primary: the member may have just scored. */
    async around(board: string, period: string, userId: string, radius: number): Promise<RankedRow[]> {
      const me = await this.rank(board, period, userId);
      if (!me) return [];
      const from = Math.max(1, me.rank - radius);
      return this.top(board, period, me.rank + radius - from + 1, from - 1, db);
    },

    /** A member's rank counted in PostgreSQL: everyone ahead in the tie order, plus one (three index range counts). */
    async rank(board: string, period: string, userId: string): Promise<RankedRow | undefined> {
      const ahead = (condition: SQL) =>
        sql`(select count(*) from leaderboard_scores s where s.board = me.board and s.period = me.period and ${condition})`;
      const result = await queryRows(
        db,
        sql`
        select me.user_id, me.score::float8 as score, ${ms(sql`me.reached_at`)} as reached_at,
          (${ahead(sql`s.score > me.score`)}
            + ${ahead(sql`s.score = me.score and s.reached_at < me.reached_at`)}
            + ${ahead(sql`s.score = me.score and s.reached_at = me.reached_at and s.user_id < me.user_id`)})::float8 + 1 as rank
        from leaderboard_scores me where me.board = ${board} and me.period = ${period} and me.user_id = ${userId}`,
      );
      const [row] = result;
      return row ? { userId: String(row.user_id), score: Number(row.score), reachedAt: Number(row.reached_at), rank: Number(row.rank) } : undefined;
    },

    async count(board: string, period: string): Promise<number> {
      const result = await queryRows(
        db.read,
        sql`select count(*)::float8 as n from leaderboard_scores where board = ${board} and period = ${period}`,
      );
      return Number(result[0]!.n);
    },

    /** Every board and period the user has a score on. */
    async userScores(userId: string): Promise<Array<{ board: string; period: string; score: number }>> {
      const result = await queryRows(
        db,
        sql`select board, period, score::float8 as score from leaderboard_scores where user_id = ${userId} order by board, period`,
      );
      return result.map((row) => ({ board: String(row.board), period: String(row.period), score: Number(row.score) }));
    },

    /** Handles of many users in one query (users belong to accounts; leaderboards only read the display name). */
    async handles(userIds: string[]): Promise<Map<string, string>> {
      if (userIds.length === 0) return new Map();
      const result = await queryRows(db, sql`select id, handle from users where id = any(${sql.param(userIds)}::uuid[])`);
      return new Map(result.map((row) => [String(row.id), String(row.handle)]));
    },

    /** Idempotent per (board, interval start): instances racing on one tick write one row. */
    async insertSnapshot(board: string, period: string, takenAt: Date, entries: SnapshotEntry[]): Promise<boolean> {
      const result = await queryRows(
        db,
        sql`
        insert into scoreboard_snapshots (board, period, taken_at, entries)
        values (${board}, ${period}, ${takenAt.toISOString()}::timestamptz, ${JSON.stringify(entries)}::jsonb)
        on conflict (board, taken_at) do nothing returning board`,
      );
      return result.length > 0;
    },

    async snapshots(board: string, from: Date, to: Date, limit: number) {
      const result = await queryRows(
        db,
        sql`
        select period, ${ms(sql`taken_at`)} as taken_at, entries from scoreboard_snapshots
        where board = ${board} and taken_at >= ${from.toISOString()}::timestamptz and taken_at <= ${to.toISOString()}::timestamptz
        order by scoreboard_snapshots.taken_at asc limit ${limit}`,
      );
      return result.map((row) => ({
        period: String(row.period),
        takenAt: new Date(Number(row.taken_at)).toISOString(),
        entries: parseJson(row.entries) as SnapshotEntry[],
      }));
    },
  };
}

async function rankedRows(db: Executor, where: SQL, limit: number, offset: number): Promise<RankedRow[]> {
  const result = await queryRows(
    db,
    sql`
    select s.user_id, s.score::float8 as score, ${ms(sql`s.reached_at`)} as reached_at from leaderboard_scores s
    where ${where} order by ${RANK_ORDER} limit ${limit} offset ${offset}`,
  );
  return toRankedRows(result);
}

function toRankedRows(found: Row[]): RankedRow[] {
  return found.map((row) => ({
    userId: String(row.user_id),
    score: Number(row.score),
    reachedAt: Number(row.reached_at),
    rank: 0,
  }));
}

function compareKeys(a: ScoreInput, b: ScoreInput): number {
  return a.board.localeCompare(b.board) || a.period.localeCompare(b.period) || (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0);
}

export type BoardsStore = ReturnType<typeof createBoardsStore>;
