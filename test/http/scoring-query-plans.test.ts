// Every hot scoring query uses an index: each store query is captured as the store builds it,
// then EXPLAINed on PostgreSQL over a seeded, analyzed database (50k actions, 20k scores).
// PRINT_PLANS=1 prints the plans (docs/scoring.md shows them).
import { randomUUID } from 'node:crypto';
import { sql, type SQL } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActionsStore } from '../../src/features/scoring/actions/store.js';
import { createBoardsStore } from '../../src/features/scoring/boards/store.js';
import type { Db } from '../../src/platform/db/client.js';
import { startTestApp, type TestApp } from '../harness/app.js';
import { query } from './events-fixtures.js';

/** An executor that records the statements a store would run, answering none of them. */
function recorder() {
  const statements: SQL[] = [];
  const executor = {
    execute: async (statement: SQL) => {
      statements.push(statement);
      return { rows: [] };
    },
  } as unknown as Db;
  // Reads that may go to a replica are recorded the same way.
  return { executor: Object.assign(executor, { read: executor }), statements };
}

/** The statements `work` sends, even if it trips over the empty answers afterwards. */
async function capture(work: (db: Db) => Promise<unknown>): Promise<SQL[]> {
  const { executor, statements } = recorder();
  await work(executor).catch(() => undefined);
  return statements;
}

describe('scoring query plans on PostgreSQL', () => {
  let app: TestApp;
  let user: string;
  let type: string;
  const plans: Array<{ name: string; plan: string }> = [];

  beforeAll(async () => {
    app = await startTestApp({ store: 'postgres' });
    const run = async (statement: SQL) => query(app, statement);
    await run(sql`insert into users (handle, is_guest) select 'seed-' || g, true from generate_series(1, 1000) g`);
    await run(sql`insert into leaderboards (name) select 'seed-' || b from generate_series(1, 20) b`);
    await run(sql`insert into leaderboard_scores (board, period, user_id, score, reached_at)
      select 'seed-' || b, 'all', u.id, (random() * 1000)::int, now() - random() * interval '1 day'
      from generate_series(1, 20) b cross join (select id from users where handle like 'seed-%') u`);
    await run(sql`insert into action_types (key, name, base_score) select 'seed-' || t, 'Seed', 1 from generate_series(1, 5) t`);
    await run(sql`insert into actions (user_id, action_type_id, identifier, score_earned, result, created_at)
      select u.id, t.id, 'i' || g, 1, '{"scoreEarned":1,"boards":[]}'::jsonb, now() - g * interval '1 hour'
      from (select id from users where handle like 'seed-%') u cross join (select id from action_types where key like 'seed-%') t
      cross join generate_series(1, 10) g`);
    await run(sql`insert into scoreboard_snapshots (board, period, taken_at, entries)
      select 'seed-' || b, 'all', now() - g * interval '1 minute', '[]'::jsonb from generate_series(1, 20) b cross join generate_series(1, 500) g`);
    await run(sql`analyze`);
    user = (await query<{ id: string }>(app, sql`select id::text from users where handle = 'seed-7'`))[0]!.id;
    type = (await query<{ id: string }>(app, sql`select id::text from action_types where key = 'seed-3'`))[0]!.id;
  });
  afterAll(async () => {
    if (process.env.PRINT_PLANS) for (const { name, plan } of plans) console.warn(`-- ${name}\n${plan}\n`);
    await app?.stop();
  });

  async function explain(name: string, statements: SQL[]): Promise<string> {
    expect(statements.length, `${name} sent no statement`).toBeGreaterThan(0);
    const text = [];
    for (const statement of statements) {
      const rows = await query<{ 'QUERY PLAN': string }>(app, sql`explain (costs off) ${statement}`);
      text.push(rows.map((row) => row['QUERY PLAN']).join('\n'));
    }
    const plan = text.join('\n');
    plans.push({ name, plan });
    return plan;
  }

  const key = () => ({ userId: user, actionTypeId: type, identifier: 'i3' });
  const now = new Date();

  it.each([
    [
      'replay lookup by (user, type, identifier)',
      (db: Db) => createActionsStore(db).findExisting(db, [key(), { ...key(), identifier: 'i4' }]),
      ['actions_user_type_identifier_key'],
    ],
    [
      'cooldown / maxPerUser / maxPerDay history',
      (db: Db) => createActionsStore(db).usage(db, [{ userId: user, actionTypeId: type, totalCap: 5, dayStart: now, dayCap: 5 }]),
      ['actions_user_type_created_idx'],
    ],
    [
      'insert actions ON CONFLICT DO NOTHING',
      (db: Db) =>
        createActionsStore(db).insert(db, [
          { ...key(), identifier: randomUUID(), metadata: undefined, scoreEarned: 1, result: { scoreEarned: 1, boards: [] }, createdAt: now },
        ]),
      ['Conflict Arbiter Indexes: actions_user_type_identifier_key'],
    ],
    [
      'store results with ranks',
      (db: Db) => createActionsStore(db).setResults(db, [{ id: randomUUID(), result: { scoreEarned: 1, boards: [] } }]),
      ['actions_pkey'],
    ],
    ['actions today', (db: Db) => createActionsStore(db).countSince(new Date(Date.now() - 3_600_000 * 3)), ['actions_created_idx']],
    [
      'score upsert with the operator',
      (db: Db) => createBoardsStore(db).apply(db, 'incr', [{ board: 'seed-3', period: 'all', userId: user, value: 5, reachedAt: now }]),
      ['leaderboard_scores_board_period_user_id_pk', 'Conflict Arbiter Indexes: leaderboard_scores_board_period_user_id_pk'],
    ],
    ['top N', (db: Db) => createBoardsStore(db).top('seed-3', 'all', 10, 0), ['leaderboard_scores_rank_idx']],
    ['rank from PostgreSQL (index fallback)', (db: Db) => createBoardsStore(db).rank('seed-3', 'all', user), ['leaderboard_scores_rank_idx']],
    ['board size', (db: Db) => createBoardsStore(db).count('seed-3', 'all'), ['leaderboard_scores_']],
    [
      'rebuild scan',
      async (db: Db) => {
        for await (const page of createBoardsStore(db).scan('seed-3', 'all')) return page;
      },
      ['leaderboard_scores_board_period_user_id_pk', 'users_pkey'],
    ],
    ['my scores', (db: Db) => createBoardsStore(db).userScores(user), ['leaderboard_scores_user_idx']],
    ['handles', (db: Db) => createBoardsStore(db).handles([user]), ['users_pkey']],
    [
      'snapshots by time',
      (db: Db) => createBoardsStore(db).snapshots('seed-3', new Date(Date.now() - 3_600_000), new Date(), 100),
      ['scoreboard_snapshots_board_taken_at_pk'],
    ],
  ] as const)('%s uses an index', async (name, work, indexes) => {
    const plan = await explain(name, await capture(work));
    for (const index of indexes) expect(plan, plan).toContain(index);
    expect(plan, plan).not.toMatch(/Seq Scan on (actions|leaderboard_scores|scoreboard_snapshots|users)\b/);
  });
});
