// Instances sharing one Redis load a board into the rank index once between them: the first
// scans PostgreSQL under the board's lock, the others find it loaded. A board whose loaded
// marker names another index layout is not current and is loaded again.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBoardIndex } from '../../src/features/scoring/boards/rank-index.js';
import { createBoardsStore } from '../../src/features/scoring/boards/store.js';
import { createHandles } from '../../src/features/scoring/boards/handles.js';
import { openDatabase, type Database } from '../../src/platform/db/client.js';
import { runMigrations } from '../../src/platform/db/migrate.js';
import { createMetrics } from '../../src/platform/metrics.js';
import { silentLog, usePorts, type TestPorts } from '../contract/ports.js';

const PLAYERS = 50;

describe('a board loaded by instances sharing Redis', () => {
  let database: Database;
  beforeAll(async () => {
    database = await openDatabase({ pgliteDir: 'memory://' });
    await runMigrations(database);
    await database.db.execute(sql`insert into leaderboards (name) values ('global')`);
    await database.db.execute(sql`insert into users (handle, is_guest) select 'player-' || i, true from generate_series(1, ${PLAYERS}) as i`);
    await database.db.execute(
      sql`insert into leaderboard_scores (board, period, user_id, score, reached_at) select 'global', 'all', id, 10, now() from users`,
    );
  });
  afterAll(() => database?.close());

  const open = usePorts({ name: 'redis', shared: true });
  let scans = 0;
  /** One instance's view of the board, counting the PostgreSQL scans every instance makes. */
  const instance = (ports: TestPorts) => {
    const store = createBoardsStore(database.db);
    const counted = {
      ...store,
      scan: (board: string, period: string) => {
        scans++;
        return store.scan(board, period);
      },
    };
    return createBoardIndex({
      index: ports.rankIndex,
      store: counted,
      handles: createHandles(store),
      locks: ports.locks,
      metrics: createMetrics(),
      log: silentLog,
      isCurrent: async () => true,
    });
  };

  it('is scanned once when four instances start at once, and not again by a fifth', async () => {
    scans = 0;
    const four = (await Promise.all([open(), open(), open(), open()])).map(instance);
    expect(await Promise.all(four.map((index) => index.ready('global', 'all')))).toEqual([true, true, true, true]);
    expect(scans).toBe(1);
    expect(await Promise.all(four.map((index) => index.count('global', 'all')))).toEqual([PLAYERS, PLAYERS, PLAYERS, PLAYERS]);

    const fifth = instance(await open());
    expect(await fifth.ready('global', 'all')).toBe(true);
    expect(scans).toBe(1);
  });

  it('is loaded again when its marker names another index layout', async () => {
    scans = 0;
    const ports = await open();
    expect(await instance(ports).ready('global', 'all')).toBe(true);
    expect(scans).toBe(1);
    // As an older version that wrote another key layout would have left it.
    await ports.redis!.set(`${ports.keyPrefix}rank:{global}:loaded`, '1');
    expect(await ports.rankIndex.isLoaded('global')).toBe(false);
    expect(await instance(await open()).ready('global', 'all')).toBe(true);
    expect(scans).toBe(2);
    expect(await ports.rankIndex.isLoaded('global')).toBe(true);
  });
});
