// kill -9 in the middle of a question, then a restart on the same PostgreSQL database: every
// answer that got a 200 is stored with the receipt time its ack gave, the question is still
// open (its window is in the games row), the rest of the players answer, and the game goes on
// to results and the next question.
import { sql } from 'drizzle-orm';
import { describe, expect, inject, it } from 'vitest';
import { databaseOptions, openDatabase } from '../../src/platform/db/client.js';
import { rows } from '../../src/platform/db/rows.js';
import { call, crashServers, rushUntilKilled, seedAccounts } from '../harness/crash.js';
import { createDatabase, waitFor } from '../harness/processes.js';
import { countStatuses, parsed, rush, type RushAnswer } from '../harness/rush.js';
import { QUIZ } from '../http/trivia-fixtures.js';

const JWT_SECRET = 'trivia-crash-secret-that-is-long-enough-for-hs256';
const PLAYERS = 600;
const KILL_AFTER = 200;

describe('kill -9 during a trivia question (PostgreSQL)', () => {
  const startServer = crashServers(JWT_SECRET);

  it('keeps every acknowledged answer and the game goes on', async () => {
    const databaseUrl = await createDatabase(inject('postgresUrl'));
    const env = { DATABASE_URL: databaseUrl };
    const open = () => openDatabase(databaseOptions({ databaseUrl, dataDir: '', db: { max: 2, idleTimeoutMs: 1_000, connectTimeoutMs: 5_000 } }));
    const { organizer: host, users: players } = await seedAccounts(await open(), JWT_SECRET, PLAYERS);
    let server = await startServer(env);
    const quiz = (
      await call(server.url, 'POST', '/api/quizzes', host.token, {
        title: 'Crash',
        questions: [{ ...QUIZ.questions[0], timeLimitSec: 120 }, QUIZ.questions[1]],
      })
    ).body.quiz;
    const game = (await call(server.url, 'POST', '/api/games', host.token, { quizId: quiz.id, mode: 'live', settings: { leadMs: 0 } })).body.game;
    const joins = await rush(
      players.map((player, i) => ({ path: `/api/games/${game.pin}/players`, token: player.token, body: { nickname: `p${i}` } })),
      { baseUrls: [server.url], connections: 32 },
    );
    expect(countStatuses(joins)).toEqual({ 200: PLAYERS });
    expect((await call(server.url, 'POST', `/api/games/${game.id}/start`, host.token)).status).toBe(200);

    const answer = (i: number) => ({ path: `/api/games/${game.id}/answers`, token: players[i]!.token, body: { questionId: 0, choice: i % 3 } });
    const answers = await rushUntilKilled(
      server,
      players.map((_, i) => answer(i)),
      { connections: 32, killAfter: KILL_AFTER, counts: (reply) => reply.status === 200 },
    );
    const acked = new Map<number, RushAnswer>();
    answers.forEach((reply, i) => reply.status === 200 && acked.set(i, reply));
    expect(Object.keys(countStatuses(answers)).sort()).toEqual(['200', 'no answer']);
    expect(acked.size).toBeGreaterThanOrEqual(KILL_AFTER);
    expect(acked.size).toBeLessThan(PLAYERS);

    // Straight after the crash: every ack is in the record, with the receipt time it gave.
    const database = await open();
    const stored = new Map(
      (
        await rows(
          database.db,
          sql`select u.id as user_id, a.received_at::float8 as received_at from game_answers a join game_players p on p.id = a.player_id join users u on u.id = p.user_id where a.game_id = ${game.id}`,
        )
      ).map((row) => [String(row.user_id), Number(row.received_at)]),
    );
    const lost = [...acked.entries()].filter(([i, reply]) => stored.get(players[i]!.id) !== Date.parse(parsed(reply).receivedAt));
    expect(lost).toEqual([]);

    // Restart: the question is still open; the others answer, and the ones who got an ack replay it.
    server = await startServer(env);
    const rest = await rush(
      players.map((_, i) => answer(i)),
      { baseUrls: [server.url], connections: 32 },
    );
    expect(countStatuses(rest)).toEqual({ 200: PLAYERS });
    expect(rest.filter((reply, i) => acked.has(i) && !parsed(reply).replayed)).toEqual([]);

    // The game goes on: the host closes, the schedule shows results, the next question opens.
    expect((await call(server.url, 'POST', `/api/games/${game.id}/close`, host.token)).status).toBe(200);
    await waitFor(async () => (await call(server.url, 'GET', `/api/games/${game.id}`, host.token)).body.game.status === 'results', 10_000, 'results');
    expect((await call(server.url, 'POST', `/api/games/${game.id}/next`, host.token)).body.game).toMatchObject({ status: 'question', seq: 1 });
    const [scores] = await rows(database.db, sql`select count(*)::int as scored from game_players where game_id = ${game.id} and score > 0`);
    expect(Number(scores!.scored)).toBe(PLAYERS / 3);
    await database.close();
  }, 180_000);
});
