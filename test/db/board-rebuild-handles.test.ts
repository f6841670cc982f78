// A rank index rebuilt from the record brings every ranked member's handle along, so naming a
// page of a big board (a random page, or "me and my neighbours") needs no handle query.
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBoardIndex } from '../../src/features/scoring/boards/rank-index.js';
import { createBoardsStore } from '../../src/features/scoring/boards/store.js';
import { createHandles } from '../../src/features/scoring/boards/handles.js';
import { openDatabase, type Database } from '../../src/platform/db/client.js';
import { runMigrations } from '../../src/platform/db/migrate.js';
import { createLogger } from '../../src/platform/log.js';
import { createMetrics } from '../../src/platform/metrics.js';
import { MemoryRankIndex } from '../../src/platform/rank-index/memory.js';
import { MemoryLocks } from '../../src/platform/locks/memory.js';
import { users } from '../../src/platform/db/schema.js';

describe('rebuilding a board from PGlite', () => {
  let database: Database;
  beforeAll(async () => {
    database = await openDatabase({ pgliteDir: 'memory://' });
    await runMigrations(database);
    await database.db.execute(sql`insert into leaderboards (name) values ('global')`);
    // 120 ranked players and one who has no score yet.
    await database.db.execute(sql`
      insert into users (handle, email, password_hash)
      select 'player-' || i, 'p' || i || '@example.com', 'x' from generate_series(0, 120) as i`);
    await database.db.execute(sql`
      insert into leaderboard_scores (board, period, user_id, score, reached_at)
      select 'global', 'all', id, (substring(handle from 8))::int * 10, now() from users where handle <> 'player-120'`);
  });
  afterAll(() => database?.close());

  it('keeps the handles the scan read, and queries only for users off the board', async () => {
    const store = createBoardsStore(database.db);
    const queried: string[][] = [];
    const handles = createHandles({
      handles: (ids) => {
        queried.push(ids);
        return store.handles(ids);
      },
    });
    // Pages of 50: the handles of every page arrive, not just the first.
    const scanInPages = { ...store, scan: (board: string, period: string) => store.scan(board, period, 50) };
    const index = createBoardIndex({
      index: new MemoryRankIndex(),
      store: scanInPages,
      handles,
      locks: new MemoryLocks(),
      metrics: createMetrics(),
      log: createLogger('silent'),
      isCurrent: async () => true,
    });

    expect(await index.ready('global', 'all')).toBe(true);
    const page = await index.top('global', 'all', 10, 100);
    expect(page.map((entry) => entry.rank)).toEqual([101, 102, 103, 104, 105, 106, 107, 108, 109, 110]);
    const names = await handles.of(page.map((entry) => entry.userId));
    expect([...names.values()]).toEqual([
      'player-19',
      'player-18',
      'player-17',
      'player-16',
      'player-15',
      'player-14',
      'player-13',
      'player-12',
      'player-11',
      'player-10',
    ]);
    expect(queried).toEqual([]);

    const [offBoard] = await database.db.select({ id: users.id }).from(users).where(eq(users.handle, 'player-120'));
    expect((await handles.of([offBoard!.id])).get(offBoard!.id)).toBe('player-120');
    expect(queried).toEqual([[offBoard!.id]]);
  });

  it('answers a read of a board the index lost with the rebuilt board, not the empty one', async () => {
    const store = createBoardsStore(database.db);
    const rankIndex = new MemoryRankIndex();
    const index = createBoardIndex({
      index: rankIndex,
      store,
      handles: createHandles(store),
      locks: new MemoryLocks(),
      metrics: createMetrics(),
      log: createLogger('silent'),
      isCurrent: async () => true,
    });
    const topRanks = async () => (await index.top('global', 'all', 3)).map((entry) => entry.rank);

    // Never loaded: the read that finds it so waits for the rebuild and reads again.
    expect(await topRanks()).toEqual([1, 2, 3]);
    expect(await index.count('global', 'all')).toBe(120);
    // Lost (as when Redis restarts empty) without any failed call marking it stale.
    await rankIndex.drop('global');
    expect(await rankIndex.isLoaded('global')).toBe(false);
    const [around, count] = await Promise.all([
      index.around('global', 'all', (await index.top('global', 'all', 1))[0]!.userId, 1),
      index.count('global', 'all'),
    ]);
    expect(around.map((entry) => entry.rank)).toEqual([1, 2]);
    expect(count).toBe(120);
  });
});
