// The same game on PostgreSQL + Redis with two instances sharing one clock: players on both,
// the host on one. Both instances tick the schedule at once and each question still closes
// once; a player answering on both instances at the same moment is stored once; the answer
// rate limit is shared through Redis.
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../src/platform/db/rows.js';
import { startTestApp, type TestApp } from '../harness/app.js';
import { ADMIN, QUIZ, adminToken, guest, listen, manualClock, type Recorder } from './trivia-fixtures.js';

describe('trivia on two instances (PostgreSQL + Redis)', () => {
  const clock = manualClock();
  let first: TestApp;
  let second: TestApp;
  let host: string;
  const sockets: Recorder[] = [];
  beforeAll(async () => {
    const redisKeyPrefix = `test:${randomUUID()}:`;
    first = await startTestApp({ store: 'postgres', redis: true, redisKeyPrefix, clock: clock.now, env: ADMIN });
    second = await startTestApp({ databaseUrl: first.platform.config.databaseUrl, redis: true, redisKeyPrefix, clock: clock.now, env: ADMIN });
    host = await adminToken(first);
  });
  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await first?.stop();
    await second?.stop();
  });

  const post = (app: TestApp, url: string, token: string, body: unknown = {}) => app.request('POST', url, { token, body });

  it('plays with players on both instances, closes each question once, stores each answer once', async () => {
    const quiz = (await (await post(first, '/api/quizzes', host, QUIZ)).json()).quiz;
    const game = (await (await post(first, '/api/games', host, { quizId: quiz.id, mode: 'live' })).json()).game;
    const apps = [first, second];
    const players = await Promise.all(
      Array.from({ length: 6 }, async (_, n) => {
        const app = apps[n % 2]!;
        const player = await guest(app);
        expect((await post(app, `/api/games/${game.pin}/players`, player.token, { nickname: `N${n}` })).status).toBe(200);
        const socket = await listen(app.url, player.token);
        sockets.push(socket);
        expect((await socket.emit('subscribe', `game:${game.id}`)).ok).toBe(true);
        return { ...player, app, socket };
      }),
    );
    const screen = await listen(second.url);
    sockets.push(screen);
    expect((await screen.emit('subscribe', `board:trivia:${game.id}`)).ok).toBe(true);

    expect((await post(first, `/api/games/${game.id}/start`, host)).status).toBe(200);
    const questions = await Promise.all(players.map((player) => player.socket.next('question', (q) => q.seq === 0)));
    const opensAt = questions[0].opensAt;
    expect(questions.every((q) => q.opensAt === opensAt)).toBe(true);
    clock.set(opensAt + 1_000);

    // Everyone answers on their own instance; player 0 also races the same question on both at once.
    const [racer] = players;
    const raced = await Promise.all([
      racer!.socket.emit('answer', { gameId: game.id, questionId: 0, choice: 1 }),
      post(second, `/api/games/${game.id}/answers`, racer!.token, { questionId: 0, choice: 0 }).then((response) => response.json()),
    ]);
    const accepted = raced.filter((answer) => answer.replayed === false);
    expect(accepted).toHaveLength(1);
    expect(raced.filter((answer) => answer.code === 'ALREADY_ANSWERED')).toHaveLength(1);
    for (const [n, player] of players.entries()) {
      if (n === 0) continue;
      expect(await player.socket.emit('answer', { gameId: game.id, questionId: 0, choice: n % 3 === 0 ? 1 : 2 })).toMatchObject({ ok: true });
    }
    const stored = await rows(first.platform.database.db, sql`select count(*)::int as n from game_answers where game_id = ${game.id}`);
    expect(Number(stored[0]!.n)).toBe(6);
    // The ledger in Redis and the record agree: one first answer each, the same points.
    const points = await rows(first.platform.database.db, sql`select player_id, points from game_answers where game_id = ${game.id}`);
    expect(await second.platform.answerLedger.totals(game.id)).toEqual(new Map(points.map((row) => [String(row.player_id), Number(row.points)])));
    const racerRow = await rows(
      first.platform.database.db,
      sql`select a.choice from game_answers a join game_players p on p.id = a.player_id where a.game_id = ${game.id} and p.user_id = ${racer!.id}`,
    );
    expect(racerRow).toHaveLength(1);

    // Both instances tick at the deadline: one results message, delivered to sockets on both.
    clock.set(questions[0].closesAt + 500);
    await Promise.all([first.triviaTick(), second.triviaTick()]);
    const results = await Promise.all(players.map((player) => player.socket.next('results', (r) => r.seq === 0)));
    expect(results.every((r) => r.answered === 6)).toBe(true);
    const personal = await Promise.all(players.map((player) => player.socket.next('result', (r) => r.seq === 0)));
    // A player's own line may overtake the channel's results on the instance that closed (it is a
    // local emit; the results wait for their XADD): the screen is waited for, not assumed.
    await screen.next('results', (r) => r.seq === 0);
    expect(new Set(personal.map((r) => r.rank))).toEqual(new Set([1, 2, 3, 4, 5, 6]));
    // A second pass changes nothing: the question was closed once.
    await Promise.all([first.triviaTick(), second.triviaTick()]);
    expect(players[1]!.socket.events.filter(([name]) => name === 'results')).toHaveLength(1);
    expect(screen.events.filter(([name]) => name === 'results')).toHaveLength(1);
    // Personal results cross instances as one cluster message: each player gets theirs once, wherever the close ran.
    for (const player of players) expect(player.socket.events.filter(([name, r]) => name === 'result' && r.seq === 0)).toHaveLength(1);
    const game2 = (await (await second.request('GET', `/api/games/${game.id}`)).json()).game;
    expect(game2.status).toBe('results');
  });

  it('shares the answer rate limit (5 per 10 s per user) across instances', async () => {
    const quiz = (await (await post(first, '/api/quizzes', host, QUIZ)).json()).quiz;
    const game = (await (await post(first, '/api/games', host, { quizId: quiz.id, mode: 'live', settings: { leadMs: 0 } })).json()).game;
    const player = await guest(first);
    await post(first, `/api/games/${game.pin}/players`, player.token, { nickname: 'Fast' });
    await post(first, `/api/games/${game.id}/start`, host);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push((await post(i % 2 ? second : first, `/api/games/${game.id}/answers`, player.token, { questionId: 0, choice: 1 })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
  });

  it('writes a claim whose batch never committed (a crash between claim and commit) when the player retries', async () => {
    const quiz = (await (await post(first, '/api/quizzes', host, QUIZ)).json()).quiz;
    const game = (await (await post(first, '/api/games', host, { quizId: quiz.id, mode: 'live', settings: { leadMs: 0 } })).json()).game;
    const player = await guest(first);
    await post(first, `/api/games/${game.pin}/players`, player.token, { nickname: 'Crashy' });
    await post(first, `/api/games/${game.id}/start`, host);
    const [seat] = await rows(first.platform.database.db, sql`select id from game_players where game_id = ${game.id}`);
    const receivedAt = clock.now();
    const value = JSON.stringify({ choice: 1, receivedAt, correct: true, points: 1000 });
    await first.platform.answerLedger.claim([{ scope: game.id, key: `0/${String(seat!.id)}`, value, member: String(seat!.id), points: 1000 }]);

    clock.advance(1);
    const retry = await (await post(second, `/api/games/${game.id}/answers`, player.token, { questionId: 0, choice: 1 })).json();
    expect(retry).toMatchObject({ replayed: true, receivedAt: new Date(receivedAt).toISOString() });
    const stored = await rows(first.platform.database.db, sql`select choice, points from game_answers where game_id = ${game.id}`);
    expect(stored).toEqual([{ choice: 1, points: 1000 }]);
    const other = await post(first, `/api/games/${game.id}/answers`, player.token, { questionId: 0, choice: 2 });
    expect(other.status).toBe(409);
  });
});
