// A trivia close adds a question's answers to the scores and streaks in two statements over the
// whole game. Checked against a brute-force oracle over random games, and for the plan of the
// streak reset: on tables nobody has analysed (PGlite never does), a NOT EXISTS was planned as
// a nested loop comparing every player with every answer (1.1 s per close at 10,000 players);
// the NOT IN must stay one hashed set of the answers.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGamesStore } from '../../src/features/trivia/games/store.js';
import { openDatabase, type Database } from '../../src/platform/db/client.js';
import { runMigrations } from '../../src/platform/db/migrate.js';
import { rows } from '../../src/platform/db/rows.js';
import { insertUsers } from '../harness/entrants.js';

const PLAYERS = 300;
const QUESTIONS = 5;

/** Mulberry32: a seeded generator, so every run plays the same games. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Expected {
  score: number;
  reachedAt: number;
  streak: number;
}

describe('the scores a trivia close applies', () => {
  let database: Database;
  const statements: string[] = [];
  beforeAll(async () => {
    database = await openDatabase({ pgliteDir: 'memory://', logQuery: (statement) => statements.push(statement) });
    await runMigrations(database);
  });
  afterAll(() => database?.close());

  async function newGame(players: number): Promise<{ gameId: string; playerIds: string[] }> {
    const db = database.db;
    const [host] = await insertUsers(db, 1, 'organizer');
    const userIds = await insertUsers(db, players);
    const [quiz] = await rows(db, sql`insert into quizzes (owner_id, title, questions) values (${host}, 'q', '[]'::jsonb) returning id`);
    const pin = String(Math.floor(Math.random() * 1_000_000)).padStart(6, '0');
    const [game] = await rows(
      db,
      sql`insert into games (pin, quiz_id, title, questions, mode, settings, host_id) values (${pin}, ${quiz!.id}, 't', '[]'::jsonb, 'live', '{}'::jsonb, ${host}) returning id`,
    );
    const gameId = String(game!.id);
    const seated = await rows(
      db,
      sql`insert into game_players (game_id, user_id, nickname) select ${gameId}::uuid, u, 'p-' || u::text from unnest(${sql.param(userIds)}::uuid[]) u returning id`,
    );
    return { gameId, playerIds: seated.map((row) => String(row.id)) };
  }

  it('matches a brute-force oracle: points added, reached-at moved on points, streaks grown or broken', async () => {
    const random = seeded(12);
    const store = createGamesStore(database.db);
    const { gameId, playerIds } = await newGame(PLAYERS);
    const expected = new Map<string, Expected>(playerIds.map((id) => [id, { score: 0, reachedAt: 0, streak: 0 }]));
    for (let seq = 0; seq < QUESTIONS; seq++) {
      // Some players skip, some answer wrong (0 points), some right (with points).
      const answers = playerIds.flatMap((playerId) => {
        const roll = random();
        if (roll < 0.2) return [];
        const correct = roll >= 0.5;
        return [
          {
            playerId,
            correct,
            points: correct ? 500 + Math.floor(random() * 500) : 0,
            receivedAt: 1_000_000 + seq * 10_000 + Math.floor(random() * 5_000),
          },
        ];
      });
      if (answers.length > 0)
        await database.db.execute(sql`insert into game_answers (game_id, seq, player_id, choice, received_at, correct, points)
          select ${gameId}::uuid, ${seq}::int, player_id, '0'::jsonb, received_at, correct, points
          from unnest(${sql.param(answers.map((a) => a.playerId))}::uuid[], ${sql.param(answers.map((a) => a.receivedAt))}::bigint[],
            ${sql.param(answers.map((a) => a.correct))}::boolean[], ${sql.param(answers.map((a) => a.points))}::int[])
            as k(player_id, received_at, correct, points)`);
      await store.transaction((tx) => store.applyScores(tx, gameId, seq));
      const answered = new Map(answers.map((answer) => [answer.playerId, answer]));
      for (const [playerId, state] of expected) {
        const answer = answered.get(playerId);
        state.score += answer?.points ?? 0;
        if (answer && answer.points > 0) state.reachedAt = answer.receivedAt;
        state.streak = answer?.correct ? state.streak + 1 : 0;
      }
      const stored = await rows(
        database.db,
        sql`select id, score::float8 as score, score_reached_at::float8 as reached_at, streak from game_players where game_id = ${gameId}`,
      );
      const actual = new Map(
        stored.map((row) => [String(row.id), { score: Number(row.score), reachedAt: Number(row.reached_at), streak: Number(row.streak) }]),
      );
      expect(actual).toEqual(expected);
    }
  });

  it('resets streaks through one hashed set of the answers, never a loop over players and answers', async () => {
    const store = createGamesStore(database.db);
    const { gameId } = await newGame(20);
    statements.length = 0;
    await store.transaction((tx) => store.applyScores(tx, gameId, 0));
    const reset = statements.find((statement) => /set streak = 0/.test(statement));
    expect(reset).toBeDefined();
    // The statement as sent, with this game's values in place of its parameters ($1 and $2 the game, $3 the question).
    const values = [`'${gameId}'::uuid`, `'${gameId}'::uuid`, '0'];
    const statement = reset!.replace(/\$(\d+)/g, (_, n: string) => values[Number(n) - 1]!);
    const plan = (await rows(database.db, sql.raw(`explain ${statement}`))).map((row) => String(Object.values(row)[0])).join('\n');
    expect(plan).toMatch(/hashed SubPlan/);
    expect(plan).not.toMatch(/Nested Loop|Join Filter/);
  });
});
