// The rank index against the record: after random operations through the scoring service
// (actions and replays on incr/best boards, organizer sets, game submissions, the index losing
// a board), on the in-process adapter and on real Redis, every rank and the top of each board
// equal a brute-force ranking of leaderboard_scores in PostgreSQL.
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/domain/accounts.js';
import { withTransaction } from '../../src/platform/db/transaction.js';
import { signUp, startTestApp, type TestApp } from '../harness/app.js';
import { query } from '../http/events-fixtures.js';

type Op =
  | { kind: 'action'; user: number; type: number; identifier: number }
  | { kind: 'set'; user: number; value: number }
  | { kind: 'submit'; user: number; board: 'incr' | 'best'; value: number }
  | { kind: 'lose'; board: 'incr' | 'best' | 'set' }
  | { kind: 'tick'; ms: number };

const USERS = 6;
const TYPE_SCORES = [0, 5, 10, 25];

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('action' as const),
      user: fc.nat(USERS - 1),
      type: fc.nat(TYPE_SCORES.length - 1),
      identifier: fc.nat(5),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('set' as const), user: fc.nat(USERS - 1), value: fc.nat(60) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('submit' as const),
      user: fc.nat(USERS - 1),
      board: fc.constantFrom('incr' as const, 'best' as const),
      value: fc.nat(40),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('lose' as const), board: fc.constantFrom('incr' as const, 'best' as const, 'set' as const) }),
  },
  // Mostly 0 ms: equal reachedAt values, so the member tie-break is exercised too.
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('tick' as const), ms: fc.constantFrom(0, 0, 1, 7) }) },
);

describe.each([
  { adapter: 'memory', redis: false },
  { adapter: 'redis', redis: true },
] as const)('rank index ($adapter) against PostgreSQL', ({ redis }) => {
  let app: TestApp;
  let users: string[];
  /** Acting as an admin, who may write every board; the first user stands in as the account. */
  let admin: Actor;
  let clock = new Date('2026-11-22T10:00:00Z').getTime();

  beforeAll(async () => {
    app = await startTestApp({ store: 'postgres', redis });
    app.scoring.clock.now = () => new Date(clock);
    users = [];
    for (let i = 0; i < USERS; i++) users.push((await signUp(app)).user.id);
    admin = { id: users[0]!, role: 'admin', isGuest: false };
  });
  afterAll(() => app?.stop());

  /** Ranks by the rule, computed from the rows alone: score down, reached_at up, user id up. */
  async function bruteForce(board: string) {
    const rows = await query<{ user_id: string; score: number; reached: number }>(
      app,
      sql`select user_id::text, score::float8 as score, (extract(epoch from reached_at) * 1000)::float8 as reached
        from leaderboard_scores where board = ${board} and period = 'all'`,
    );
    rows.sort((a, b) => b.score - a.score || a.reached - b.reached || (a.user_id < b.user_id ? -1 : 1));
    return rows.map((row, index) => ({ member: row.user_id, score: Number(row.score), reachedAt: Number(row.reached), rank: index + 1 }));
  }

  it('ranks exactly as the record says after random operations', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(op, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 8 }), async (rounds) => {
        const run = randomUUID().slice(0, 8);
        const boards = { incr: `p-incr-${run}`, best: `p-best-${run}`, set: `p-set-${run}` };
        await app.scoring.ensureBoard(boards.incr);
        await app.scoring.ensureBoard(boards.best, { operator: 'best' });
        await app.scoring.ensureBoard(boards.set, { operator: 'set' });
        const types = await Promise.all(
          TYPE_SCORES.map((baseScore, i) =>
            app.scoring.actionTypes.create(admin, { key: `p-${run}-${i}`, name: 'prop', baseScore, rules: { boards: [boards.incr, boards.best] } }),
          ),
        );
        // Each round's operations run concurrently, so they share batches as real traffic does.
        for (const round of rounds) {
          await Promise.all(
            round.map(async (step) => {
              switch (step.kind) {
                case 'action':
                  return app.scoring.actions.complete(users[step.user]!, { actionType: types[step.type]!.key, identifier: `id-${step.identifier}` });
                case 'set':
                  return app.scoring.leaderboards.setScore(admin, boards.set, users[step.user]!, step.value);
                case 'submit':
                  return app.scoring.submitScores(undefined, [
                    { board: boards[step.board], userId: users[step.user]!, value: step.value, reachedAt: new Date(clock) },
                  ]);
                case 'lose':
                  return app.platform.rankIndex.drop(boards[step.board]);
                case 'tick':
                  clock += step.ms;
                  return undefined;
              }
            }),
          );
        }
        for (const board of Object.values(boards)) {
          const expected = await bruteForce(board);
          // What the service does before trusting the index: rebuild a board it lost.
          expect(await app.scoring.index.ready(board, 'all')).toBe(true);
          expect(await app.platform.rankIndex.top(board, 100)).toEqual(expected);
          expect(await app.platform.rankIndex.count(board)).toBe(expected.length);
          for (const entry of expected) expect(await app.platform.rankIndex.rank(board, entry.member)).toEqual(entry);
        }
      }),
      { numRuns: 25 },
    );
  });

  it('keeps the newer score when two commits reach the index out of order (as two instances can)', async () => {
    const board = `p-order-${randomUUID().slice(0, 8)}`;
    await app.scoring.ensureBoard(board, { operator: 'set' });
    await app.scoring.index.ready(board, 'all');
    const [first, second] = [users[0]!, users[1]!];
    const commit = (userId: string, value: number) =>
      withTransaction(app.platform.database.db, (tx) => app.scoring.submitScores(tx, [{ board, userId, value, reachedAt: new Date(clock) }]));
    const older = await commit(first, 10);
    const newer = await commit(first, 3);
    await app.scoring.submitScores(undefined, [{ board, userId: second, value: 5, reachedAt: new Date(clock) }]);

    await newer.afterCommit();
    await older.afterCommit();
    expect(await app.platform.rankIndex.top(board, 10)).toEqual(await bruteForce(board));
    expect(await app.platform.rankIndex.rank(board, first)).toMatchObject({ score: 3, rank: 2 });
  });

  it('counts one completion per identifier, whatever the replays', async () => {
    const [row] = await query<{ duplicates: number }>(
      app,
      sql`select count(*)::int as duplicates from (select 1 from actions group by user_id, action_type_id, identifier having count(*) > 1) d`,
    );
    expect(row!.duplicates).toBe(0);
  });
});
