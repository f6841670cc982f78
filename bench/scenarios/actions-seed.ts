// Seeds a board with a million entries before the server starts: guest users and their scores
// made by generate_series inside the database (one statement per chunk, the same SQL on
// PostgreSQL and PGlite), since a million rows over HTTP would take longer than the benchmark.
import { sql } from 'drizzle-orm';
import type { Database } from '../../src/platform/db/client.js';

const ROWS_PER_STATEMENT = 50_000;
/** Seeded scores fall in [0, SCORE_RANGE); reachedAt within the day before SEEDED_BEFORE. */
export const SCORE_RANGE = 1_000_000;
const SEEDED_BEFORE = '2026-11-22T00:00:00Z';

/**
 * `entries` guests with a score each on `board` (period 'all'), created if missing with the
 * default definition (incr, never resets). reachedAt is whole milliseconds, as the API writes it.
 */
export async function seedBoard(database: Database, board: string, entries: number, progress: (message: string) => void): Promise<void> {
  const { db } = database;
  await db.execute(sql`insert into leaderboards (name) values (${board}) on conflict (name) do nothing`);
  const started = performance.now();
  for (let from = 1; from <= entries; from += ROWS_PER_STATEMENT) {
    const to = Math.min(entries, from + ROWS_PER_STATEMENT - 1);
    await db.execute(sql`
      with seeded as (
        insert into users (handle, is_guest)
        select 'seed-' || g, true from generate_series(${from}::int, ${to}::int) g
        returning id
      )
      insert into leaderboard_scores (board, period, user_id, score, reached_at)
      select ${board}, 'all', id, floor(random() * ${SCORE_RANGE})::bigint,
             ${SEEDED_BEFORE}::timestamptz - floor(random() * 86400000) * interval '1 millisecond'
      from seeded`);
    if (to % 200_000 === 0 || to === entries) {
      progress(
        `seeded ${to.toLocaleString('en-US')} of ${entries.toLocaleString('en-US')} entries on ${board} (${((performance.now() - started) / 1000).toFixed(0)} s)`,
      );
    }
  }
  // Fresh statistics, as a database that grew to this size would have.
  await db.execute(sql`analyze users`);
  await db.execute(sql`analyze leaderboard_scores`);
}
