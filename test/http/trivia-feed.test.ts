// Trivia points on the existing leaderboards, over HTTP on PGlite: a game whose settings.feed
// names the host's action type completes one action per player and question, worth that
// question's points, so they reach the global board. Only the type's creator (or an admin)
// may name it; guests' points stay on the game's board; the end feeds what was not fed yet, once.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scoreAnswer } from '../../src/features/trivia/answers/scoring.js';
import { signUp, startTestApp, type TestApp } from '../harness/app.js';
import { waitFor } from '../harness/processes.js';
import { organizer, query } from './events-fixtures.js';
import { ADMIN, QUIZ, guest, listen, manualClock, type Recorder } from './trivia-fixtures.js';

describe('trivia points feeding an action type (pglite)', () => {
  const clock = manualClock();
  let app: TestApp;
  const sockets: Recorder[] = [];
  beforeAll(async () => {
    app = await startTestApp({ clock: clock.now, env: ADMIN });
  });
  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await app?.stop();
  });

  const post = (url: string, token: string, body: unknown = {}) => app.request('POST', url, { token, body });
  const actionType = async (token: string, key: string) => {
    const response = await post('/api/action-types', token, { key, name: `Trivia ${key}`, baseScore: 1 });
    expect(response.status, await response.clone().text()).toBe(201);
    return (await response.json()).id as string;
  };
  const globalScore = async (userId: string) =>
    (await (await app.request('GET', '/api/leaderboards/global?limit=100')).json()).entries.find(
      (entry: { userId: string }) => entry.userId === userId,
    )?.score;
  /** The action commits before the feed returns; the board's read side follows just after (its index and cache). */
  const untilGlobalScore = (userId: string, score: number) =>
    waitFor(async () => (await globalScore(userId)) === score, 10_000, `global score ${score}`);

  it('completes each player and question once as a scored action; only the type owner may name it', async () => {
    const host = await organizer(app);
    const stranger = await organizer(app);
    const mine = await actionType(host.token, 'trivia-mine');
    const theirs = await actionType(stranger.token, 'trivia-theirs');
    const quiz = (await (await post('/api/quizzes', host.token, QUIZ)).json()).quiz;
    const createGame = (feed: unknown) => post('/api/games', host.token, { quizId: quiz.id, mode: 'live', settings: { leadMs: 0, feed } });
    expect((await createGame({ actionTypeId: theirs })).status).toBe(403);
    expect((await createGame({ actionTypeId: '00000000-0000-4000-8000-000000000000' })).status).toBe(404);
    expect((await createGame({ actionTypeId: 'not-a-uuid' })).status).toBe(400);
    const created = await createGame({ actionTypeId: mine });
    expect(created.status).toBe(201);
    const game = (await created.json()).game;
    expect(game.settings.feed).toEqual({ actionTypeId: mine });

    const player = await signUp(app);
    const visitor = await guest(app);
    for (const [token, nickname] of [
      [player.token, 'Player'],
      [visitor.token, 'Visitor'],
    ] as const)
      expect((await post(`/api/games/${game.pin}/players`, token, { nickname })).status).toBe(200);
    const socket = await listen(app.url, player.token);
    sockets.push(socket);
    expect((await socket.emit('subscribe', `game:${game.id}`)).ok).toBe(true);

    // Question 0 (1000 points, 20 s): both answer right 2 s in; the results feed the player's points.
    expect((await post(`/api/games/${game.id}/start`, host.token)).status).toBe(200);
    const q0 = await socket.next('question', (q) => q.seq === 0);
    clock.set(q0.opensAt + 2_000);
    for (const token of [player.token, visitor.token])
      expect((await post(`/api/games/${game.id}/answers`, token, { questionId: 0, choice: 1 })).status).toBe(200);
    expect((await post(`/api/games/${game.id}/close`, host.token)).status).toBe(200);
    clock.advance(500);
    await app.triviaTick();
    const points0 = scoreAnswer({ correct: true, points: 1000, elapsedMs: 2_000, limitMs: 20_000, streak: 0, streakBonus: false });
    await untilGlobalScore(player.user.id, points0);
    expect(await globalScore(visitor.id)).toBeUndefined();

    // Question 1 is answered and the game ended mid-question: the end scores it and feeds it;
    // question 0, fed in full by this instance, is not fed again (and would add nothing).
    expect((await post(`/api/games/${game.id}/next`, host.token)).status).toBe(200);
    const q1 = await socket.next('question', (q) => q.seq === 1);
    clock.set(q1.opensAt + 100);
    expect((await post(`/api/games/${game.id}/answers`, player.token, { questionId: 1, choice: [0, 2] })).status).toBe(200);
    expect((await post(`/api/games/${game.id}/end`, host.token)).status).toBe(200);
    await untilGlobalScore(player.user.id, points0 + 500);
    const actions = await query<{ identifier: string; score_earned: number }>(
      app,
      sql`select identifier, score_earned from actions where user_id = ${player.user.id} order by identifier`,
    );
    expect(actions).toEqual([
      { identifier: `trivia:${game.id}:0`, score_earned: points0 },
      { identifier: `trivia:${game.id}:1`, score_earned: 500 },
    ]);
    expect(await query(app, sql`select id from actions where user_id = ${visitor.id}`)).toEqual([]);
  });
});
