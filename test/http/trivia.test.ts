// Live trivia over HTTP and Socket.IO on PGlite, with the server's clock in the test's hands:
// quizzes and their validation, joining, host controls and their refusals, a whole game with
// answers on both transports at the window's edges, exactly-once under retries, the pushes,
// and the scores checked against the formula.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../harness/app.js';
import { scoreAnswer } from '../../src/features/trivia/answers/scoring.js';
import { ADMIN, QUIZ, adminToken, guest, listen, manualClock, type Recorder } from './trivia-fixtures.js';

describe('trivia on pglite', () => {
  const clock = manualClock();
  let app: TestApp;
  let host: string;
  const sockets: Recorder[] = [];
  beforeAll(async () => {
    app = await startTestApp({ clock: clock.now, env: { ...ADMIN, RATE_LIMIT_TRIVIA_ANSWERS: '1000/10s' } });
    host = await adminToken(app);
  });
  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await app?.stop();
  });

  const post = (url: string, token: string, body: unknown = {}, headers: Record<string, string> = {}) =>
    app.request('POST', url, { token, body, headers });
  const createQuiz = async (quiz: unknown = QUIZ) => {
    const response = await post('/api/quizzes', host, quiz);
    expect(response.status, await response.clone().text()).toBe(201);
    return (await response.json()).quiz;
  };
  const createGame = async (settings: Record<string, unknown> = {}) => {
    const quiz = await createQuiz();
    const response = await post('/api/games', host, { quizId: quiz.id, mode: 'live', settings });
    expect(response.status, await response.clone().text()).toBe(201);
    return (await response.json()).game;
  };
  const socketFor = async (token?: string) => {
    const socket = await listen(app.url, token);
    sockets.push(socket);
    return socket;
  };

  it('creates, lists, updates, exports, imports and deletes quizzes', async () => {
    const quiz = await createQuiz();
    expect(quiz.questions[0].points).toBe(1000);
    expect(quiz.questions[1].points).toBe(500);
    expect((await (await app.request('GET', '/api/quizzes', { token: host })).json()).quizzes.map((q: any) => q.id)).toContain(quiz.id);
    const patched = await app.request('PATCH', `/api/quizzes/${quiz.id}`, { token: host, body: { title: 'Renamed' } });
    expect((await patched.json()).quiz.title).toBe('Renamed');
    const exported = await (await app.request('GET', `/api/quizzes/${quiz.id}/export`, { token: host })).json();
    expect(exported).toMatchObject({ format: 'stampede-quiz', version: 1, title: 'Renamed' });
    const imported = await post('/api/quizzes/import', host, exported);
    expect(imported.status).toBe(201);
    expect((await imported.json()).quiz.questions).toEqual(exported.questions);
    const player = await guest(app);
    expect((await app.request('GET', `/api/quizzes/${quiz.id}`, { token: player.token })).status).toBe(403);
    expect((await app.request('DELETE', `/api/quizzes/${quiz.id}`, { token: host })).status).toBe(204);
    expect((await app.request('GET', `/api/quizzes/${quiz.id}`, { token: host })).status).toBe(404);
  });

  it('refuses a quiz with no questions, no correct option or a time limit out of range', async () => {
    const cases: Array<[unknown[], string]> = [
      [[], '/questions'],
      [[{ ...QUIZ.questions[0], answer: 7 }], '/questions/0/answer'],
      [[{ ...QUIZ.questions[1], answer: [] }], '/questions/0/answer'],
      [[{ ...QUIZ.questions[0], timeLimitSec: 121 }], '/questions/0/timeLimitSec'],
      [[{ ...QUIZ.questions[0], timeLimitSec: 4 }], '/questions/0/timeLimitSec'],
    ];
    for (const [questions, field] of cases) {
      const response = await post('/api/quizzes', host, { title: 'Bad', questions });
      expect(response.status).toBe(400);
      const problem = await response.json();
      expect(problem.code).toBe('VALIDATION_FAILED');
      expect(problem.errors.map((error: any) => error.field)).toContain(field);
    }
  });

  it('joins by pin: 404 for an unknown pin, 409 for a taken nickname or a full game, a rejoin keeps the seat', async () => {
    const game = await createGame({ maxPlayers: 2 });
    expect(game.pin).toMatch(/^\d{6}$/);
    const [a, b, c] = [await guest(app), await guest(app), await guest(app)];
    const unknownPin = game.pin === '000000' ? '000001' : '000000';
    expect((await post(`/api/games/${unknownPin}/players`, a.token, { nickname: 'Ann' })).status).toBe(404);
    const joined = await post(`/api/games/${game.pin}/players`, a.token, { nickname: 'Ann' });
    expect(joined.status).toBe(200);
    expect(await joined.json()).toMatchObject({ rejoined: false, player: { nickname: 'Ann', score: 0 } });
    const taken = await post(`/api/games/${game.pin}/players`, b.token, { nickname: 'ann' });
    expect((await taken.json()).code).toBe('NICKNAME_TAKEN');
    expect((await (await post(`/api/games/${game.pin}/players`, a.token, { nickname: 'Other' })).json()).rejoined).toBe(true);
    expect((await post(`/api/games/${game.pin}/players`, b.token, { nickname: 'Bob' })).status).toBe(200);
    const full = await post(`/api/games/${game.pin}/players`, c.token, { nickname: 'Cy' });
    expect(full.status).toBe(409);
    expect((await full.json()).code).toBe('GAME_FULL');
  });

  it('lets only the host act, and only in a state that allows it', async () => {
    const game = await createGame();
    const player = await guest(app);
    expect((await post(`/api/games/${game.id}/start`, player.token)).status).toBe(403);
    const early = await post(`/api/games/${game.id}/next`, host);
    expect(early.status).toBe(409);
    expect((await early.json()).code).toBe('GAME_STATE');
    expect((await post(`/api/games/${game.id}/resume`, host)).status).toBe(409);
  });

  it('plays a whole game: server-timed questions, answers on both transports, results and scores', async () => {
    const game = await createGame({ streakBonus: true });
    const players = await Promise.all([1, 2, 3].map(async (n) => ({ ...(await guest(app)), nickname: `P${n}` })));
    const [p1, p2, p3] = players;
    for (const player of players)
      expect((await post(`/api/games/${game.pin}/players`, player.token, { nickname: player.nickname })).status).toBe(200);
    const screen = await socketFor();
    expect((await screen.emit('subscribe', `board:trivia:${game.id}`)).ok).toBe(true);
    const s1 = await socketFor(p1!.token);
    const subscribed = await s1.emit('subscribe', `game:${game.id}`);
    expect(subscribed).toMatchObject({ ok: true, state: { game: { status: 'lobby' }, question: null, me: { nickname: 'P1' } } });

    const startedAt = clock.now();
    expect((await post(`/api/games/${game.id}/start`, host)).status).toBe(200);
    const question = await s1.next('question', (q) => q.seq === 0);
    expect(question).toMatchObject({ questionId: 0, text: 'Capital of France?', options: ['Rome', 'Paris', 'Oslo'], serverNow: startedAt });
    expect(question.opensAt).toBe(startedAt + 3000);
    expect(question.closesAt).toBe(question.opensAt + 20_000);
    expect(question).not.toHaveProperty('answer');

    const answer = (player: { token: string }, choice: unknown, questionId = 0, key?: string) =>
      post(`/api/games/${game.id}/answers`, player.token, { questionId, choice }, key ? { 'idempotency-key': key } : {});
    // Early: before opensAt.
    const early = await answer(p1!, 1);
    expect(early.status).toBe(409);
    expect((await early.json()).code).toBe('QUESTION_NOT_OPEN');
    expect((await answer(p1!, 5)).status).toBe(400);
    expect((await answer(p1!, 'Paris')).status).toBe(400);

    // On time, exactly at opensAt, over the socket; correctness is not in the ack.
    clock.set(question.opensAt);
    const ack = await s1.emit('answer', { gameId: game.id, questionId: 0, choice: 1 });
    expect(ack).toEqual({ ok: true, gameId: game.id, questionId: 0, receivedAt: new Date(question.opensAt).toISOString(), replayed: false });
    // A retry replays, over either transport; a different answer is refused.
    expect(await s1.emit('answer', { gameId: game.id, questionId: 0, choice: 1 })).toMatchObject({ ok: true, replayed: true });
    const replayedHttp = await answer(p1!, 1);
    expect(await replayedHttp.json()).toMatchObject({ replayed: true, receivedAt: ack.receivedAt });
    const changed = await answer(p1!, 2);
    expect(changed.status).toBe(409);
    expect((await changed.json()).code).toBe('ALREADY_ANSWERED');
    expect(await s1.emit('answer', { gameId: game.id, questionId: 0, choice: 'x' })).toMatchObject({
      ok: false,
      code: 'VALIDATION_FAILED',
      status: 400,
    });

    // Within grace: 300 ms after closesAt, with an Idempotency-Key retried.
    clock.set(question.closesAt + 300);
    const first = await answer(p2!, 1, 0, 'p2-q0');
    expect(first.status).toBe(200);
    const retried = await answer(p2!, 1, 0, 'p2-q0');
    expect(retried.headers.get('idempotent-replayed')).toBe('true');
    expect(await retried.json()).toEqual(await first.json());
    // Late: after the grace period.
    clock.set(question.closesAt + 501);
    const late = await answer(p3!, 1);
    expect(late.status).toBe(409);
    expect((await late.json()).code).toBe('ANSWER_TOO_LATE');

    // The schedule closes the question: one results message, one personal line each.
    const resultsSeen = screen.next('results', (r) => r.seq === 0);
    await app.triviaTick();
    const results = await resultsSeen;
    expect(results).toMatchObject({ seq: 0, correctAnswer: 1, counts: [0, 2, 0], answered: 2, correct: 2 });
    expect(results.top.map((entry: any) => entry.nickname)).toEqual(['P1', 'P2', 'P3']);
    const mine = await s1.next('result', (r) => r.seq === 0);
    expect(mine).toEqual({ gameId: game.id, seq: 0, correct: true, points: 1000, score: 1000, rank: 1 });
    // A client that missed the push (not replayed on reconnection) finds the same outcome in its state.
    const scoredState = await (await app.request('GET', `/api/games/${game.id}/state`, { token: p1!.token })).json();
    expect(scoredState.me).toMatchObject({ score: 1000, rank: 1, answer: { questionId: 0, correct: true, points: 1000 } });
    expect(screen.events.filter(([name]) => name === 'answered').length).toBeGreaterThan(0);
    expect(screen.events.filter(([name]) => name === 'results')).toHaveLength(1);

    // Question 1 (multi), host-driven; the host closes it early.
    expect((await post(`/api/games/${game.id}/next`, host)).status).toBe(200);
    const q1 = await s1.next('question', (q) => q.seq === 1);
    clock.set(q1.opensAt + 2_000);
    expect((await answer(p1!, [2, 0], 1)).status).toBe(200);
    expect((await answer(p2!, [0], 1)).status).toBe(200);
    expect((await post(`/api/games/${game.id}/close`, host)).status).toBe(200);
    clock.advance(500);
    await app.triviaTick();
    const r1 = await s1.next('result', (r) => r.seq === 1);
    const streakPoints = scoreAnswer({ correct: true, points: 500, elapsedMs: 2_000, limitMs: 10_000, streak: 1, streakBonus: true });
    expect(r1).toMatchObject({ correct: true, points: streakPoints, score: 1000 + streakPoints, rank: 1 });

    // Reconnect in the middle of question 2: the state carries the window and my answer.
    expect((await post(`/api/games/${game.id}/next`, host)).status).toBe(200);
    const q2 = await s1.next('question', (q) => q.seq === 2);
    clock.set(q2.opensAt + 100);
    expect((await answer(p2!, 'berne!', 2)).status).toBe(200);
    const state = await (await app.request('GET', `/api/games/${game.id}/state`, { token: p2!.token })).json();
    expect(state).toMatchObject({
      game: { status: 'question', seq: 2 },
      question: { seq: 2, opensAt: q2.opensAt, closesAt: q2.closesAt },
      me: { nickname: 'P2', answer: { questionId: 2, choice: 'berne!' } },
    });
    // Not scored yet: nothing in it tells whether the answer is right.
    expect(Object.keys(state.me.answer).sort()).toEqual(['choice', 'questionId', 'receivedAt']);

    // Pause keeps the time left; end scores the running question.
    expect((await post(`/api/games/${game.id}/pause`, host)).status).toBe(200);
    clock.advance(60_000);
    expect((await post(`/api/games/${game.id}/resume`, host)).status).toBe(200);
    const resumed = await s1.next('question', (q) => q.seq === 2 && q.opensAt > q2.opensAt);
    expect(resumed.closesAt - resumed.opensAt).toBe(q2.closesAt - q2.opensAt);
    expect((await post(`/api/games/${game.id}/end`, host)).status).toBe(200);
    const ended = await s1.next('ended');
    expect(ended.top.find((entry: any) => entry.nickname === 'P2').score).toBe(500 + 0 + 1000);
    expect((await post(`/api/games/${game.id}/next`, host)).status).toBe(409);
  });

  it('runs a game on its own with autoAdvance, through the schedule', async () => {
    const game = await createGame({ autoAdvance: true, leadMs: 0, resultsMs: 1000 });
    const player = await guest(app);
    await post(`/api/games/${game.pin}/players`, player.token, { nickname: 'Solo' });
    expect((await post(`/api/games/${game.id}/start`, host)).status).toBe(200);
    for (let seq = 0; seq < QUIZ.questions.length; seq++) {
      clock.advance(QUIZ.questions[seq]!.timeLimitSec * 1000 + 500);
      await app.triviaTick();
      clock.advance(1000);
      await app.triviaTick();
    }
    expect((await (await app.request('GET', `/api/games/${game.id}`)).json()).game.status).toBe('ended');
  });

  it('plays async mode through the service API a messaging adapter calls: a window per player from their own question', async () => {
    const quiz = await createQuiz();
    const game = (await (await post('/api/games', host, { quizId: quiz.id, mode: 'async' })).json()).game;
    const [a, b] = [await guest(app), await guest(app)];
    const actor = (id: string) => ({ id, role: 'player' as const, isGuest: true });
    await app.trivia.join(actor(a.id), game.pin, 'Ada');
    await app.trivia.join(actor(b.id), game.pin, 'Bea');
    await expect(app.trivia.currentQuestion(a.id, game.id)).rejects.toMatchObject({ code: 'GAME_STATE' });
    expect((await post(`/api/games/${game.id}/start`, host)).status).toBe(200);

    const t0 = clock.now();
    const first = await app.trivia.currentQuestion(a.id, game.id);
    expect(first).toMatchObject({ done: false, question: { seq: 0, opensAt: t0, closesAt: t0 + 20_000 } });
    // Asking again while the window is open and unanswered gives the same question.
    clock.advance(1_000);
    expect((await app.trivia.currentQuestion(a.id, game.id)).question).toMatchObject({ seq: 0, opensAt: t0 });
    expect(await app.trivia.answer(a.id, { gameId: game.id, questionId: 0, choice: 1 })).toMatchObject({ replayed: false });
    await expect(app.trivia.answer(a.id, { gameId: game.id, questionId: 1, choice: [0, 2] })).rejects.toMatchObject({ code: 'QUESTION_NOT_OPEN' });

    // Bea starts much later: her window is her own.
    clock.advance(60_000);
    const hers = await app.trivia.currentQuestion(b.id, game.id);
    expect(hers.question).toMatchObject({ seq: 0, opensAt: clock.now() });
    expect(await app.trivia.answer(b.id, { gameId: game.id, questionId: 0, choice: 1 })).toMatchObject({ replayed: false });

    // Ada moves on: question 0, answered after 1 s, is scored for her by the formula.
    const second = await app.trivia.currentQuestion(a.id, game.id);
    expect(second.question).toMatchObject({ seq: 1, opensAt: clock.now() });
    expect(second.me.score).toBe(Math.round(1000 * (1 - 1000 / 20_000 / 2)));
    // She lets question 1 run out: too late, then the next question.
    clock.advance(10_000 + 501);
    await expect(app.trivia.answer(a.id, { gameId: game.id, questionId: 1, choice: [0, 2] })).rejects.toMatchObject({ code: 'ANSWER_TOO_LATE' });
    expect((await app.trivia.currentQuestion(a.id, game.id)).question).toMatchObject({ seq: 2 });
    expect(await app.trivia.answer(a.id, { gameId: game.id, questionId: 2, choice: 'bern' })).toMatchObject({ replayed: false });
    expect((await app.trivia.currentQuestion(a.id, game.id)).question).toMatchObject({ seq: 3 });
    expect(await app.trivia.answer(a.id, { gameId: game.id, questionId: 3, choice: 300_000 })).toMatchObject({ replayed: false });
    const done = await app.trivia.currentQuestion(a.id, game.id);
    expect(done).toMatchObject({ done: true, question: null, me: { score: 975 + 1000 + 1000, rank: 1 } });
    // Asking again once done changes nothing (a WhatsApp player writing after the end).
    expect(await app.trivia.currentQuestion(a.id, game.id)).toEqual(done);
  });

  it('reports queue, game and database figures to admins only, and the same in /metrics', async () => {
    const player = await guest(app);
    for (const path of ['/api/admin/queue-stats', '/api/admin/game-stats', '/api/admin/db-stats']) {
      expect((await app.request('GET', path, { token: player.token })).status).toBe(403);
      expect((await app.request('GET', path, { token: host })).status).toBe(200);
    }
    const games = await (await app.request('GET', '/api/admin/game-stats', { token: host })).json();
    expect(games.liveGames).toBeGreaterThan(0);
    expect(games.answersTotal).toBeGreaterThan(0);
    expect(games.lastResultsLatencyMs).not.toBeNull();
    const db = await (await app.request('GET', '/api/admin/db-stats', { token: host })).json();
    expect(db).toMatchObject({ database: 'pglite', breaker: 'closed', pool: { total: 1 } });
    expect(db.queryMs.p95).toBeGreaterThan(0);
    const queues = await (await app.request('GET', '/api/admin/queue-stats', { token: host })).json();
    expect(queues.queues[0]).toMatchObject({ waiting: expect.any(Number), completedPerSecond: expect.any(Number) });
    const metrics = await (await app.request('GET', '/metrics')).text();
    for (const name of [
      'trivia_live_games',
      'trivia_answers_total',
      'trivia_last_results_latency_seconds',
      'db_query_duration_seconds{quantile="0.95"}',
      'job_queue_jobs',
    ]) {
      expect(metrics).toContain(name);
    }
  });
});
