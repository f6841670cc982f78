// The big screen's public view of a trivia game on PGlite, with the server's clock in the test's
// hands: found by PIN without a sign-in, the open question without its answer (in the view and in
// the pushes an anonymous socket gets), the live answered count, and once scored the distribution
// (checked against a count over the answers sent) and the top 10.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../harness/app.js';
import { ADMIN, adminToken, guest, listen, manualClock, type Recorder } from './trivia-fixtures.js';

const OPTIONS = ['Mercury', 'Venus', 'Earth', 'Mars'];
const QUIZ = {
  title: 'Planets',
  questions: [
    { text: 'Closest to the Sun?', kind: 'choice', options: OPTIONS, answer: 0, timeLimitSec: 20 },
    { text: 'Rocky planets?', kind: 'multi', options: OPTIONS, answer: [0, 1, 2, 3], timeLimitSec: 20 },
  ],
};
const PLAYERS = 12;

/** Seeded, so a failure can be replayed (mulberry32). */
function seeded(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The oracle: per option, how many of the answers include it. */
const countByOption = (choices: Array<number | number[]>) =>
  OPTIONS.map((_, option) => choices.filter((choice) => (Array.isArray(choice) ? choice.includes(option) : choice === option)).length);

describe('the trivia big screen, public and read-only', () => {
  const clock = manualClock();
  let app: TestApp;
  let host: string;
  let screen: Recorder;
  beforeAll(async () => {
    app = await startTestApp({ clock: clock.now, env: ADMIN });
    host = await adminToken(app);
    screen = await listen(app.url);
  });
  afterAll(async () => {
    screen?.close();
    await app?.stop();
  });

  const get = async (url: string) => {
    const response = await app.request('GET', url);
    expect(response.status, await response.clone().text()).toBe(200);
    return response.json();
  };
  const post = async (url: string, token: string, body: unknown = {}) => {
    const response = await app.request('POST', url, { token, body });
    expect(response.status, await response.clone().text()).toBe(200);
    return response.json();
  };

  it('answers an unknown or malformed PIN with 404 or 400, and an unknown game with 404', async () => {
    expect((await app.request('GET', '/api/games/pin/000000')).status).toBe(404);
    expect((await app.request('GET', '/api/games/pin/12ab56')).status).toBe(400);
    expect((await app.request('GET', '/api/games/00000000-0000-4000-8000-000000000000/screen')).status).toBe(404);
  });

  it('shows the question without its answer, the answered count, then the distribution and the top 10', async () => {
    const random = seeded(13);
    const quiz = await app.request('POST', '/api/quizzes', { token: host, body: QUIZ });
    const created = await app.request('POST', '/api/games', { token: host, body: { quizId: (await quiz.json()).quiz.id, mode: 'live' } });
    const { game } = await created.json();
    const players = await Promise.all(Array.from({ length: PLAYERS }, (_, n) => guest(app, `P${n}`)));
    for (const [n, player] of players.entries()) await post(`/api/games/${game.pin}/players`, player.token, { nickname: `P${n}` });

    // The PIN alone finds the game, without a token; the lobby shows the players, no question.
    expect((await get(`/api/games/pin/${game.pin}`)).game).toMatchObject({ id: game.id, status: 'lobby', players: PLAYERS });
    expect(await screen.emit('subscribe', `board:trivia:${game.id}`)).toMatchObject({ ok: true });
    expect(await get(`/api/games/${game.id}/screen`)).toMatchObject({ question: null, answered: null, results: null });

    for (const [seq, question] of QUIZ.questions.entries()) {
      await post(`/api/games/${game.id}/${seq === 0 ? 'start' : 'next'}`, host);
      const pushed = await screen.next('question', (q) => q.seq === seq);
      clock.set(pushed.opensAt + 1_000);
      const open = await get(`/api/games/${game.id}/screen`);
      expect(open).toMatchObject({ game: { status: 'question', seq }, question: { seq, text: question.text, options: OPTIONS }, answered: 0 });
      for (const body of [pushed, open]) expect(JSON.stringify(body)).not.toMatch(/"(answer|correctAnswer|correct|counts)"/);

      // Nine of the twelve answer; the screen's count follows, pushed to a socket with no token.
      const choices = players.slice(0, 9).map(() => {
        if (question.kind === 'choice') return Math.floor(random() * OPTIONS.length);
        const subset = OPTIONS.map((_, option) => option).filter(() => random() < 0.5);
        return subset.length > 0 ? subset : [0];
      });
      for (const [n, choice] of choices.entries()) await post(`/api/games/${game.id}/answers`, players[n]!.token, { questionId: seq, choice });
      await screen.next('answered', (message) => message.seq === seq && message.count === choices.length);
      expect((await get(`/api/games/${game.id}/screen`)).answered).toBe(choices.length);
      expect(JSON.stringify(await get(`/api/games/${game.id}/screen`))).not.toMatch(/correctAnswer/);

      await post(`/api/games/${game.id}/close`, host);
      clock.advance(500);
      await app.triviaTick();
      const pushedResults = await screen.next('results', (r) => r.seq === seq);
      const { results, top, question: shown } = await get(`/api/games/${game.id}/screen`);
      expect(shown).toBeNull();
      const expectedCorrect = choices.filter((choice) => JSON.stringify(choice) === JSON.stringify(question.answer)).length;
      expect(results).toMatchObject({ seq, correctAnswer: question.answer, counts: countByOption(choices), answered: 9, correct: expectedCorrect });
      expect(results).toEqual(pushedResults);
      expect(top).toHaveLength(10);
      expect(top.map((entry: { rank: number }) => entry.rank)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect(top).toEqual(pushedResults.top);
    }

    // Ended: the PIN is free again, and the screen keeps the last results and the final top 10 by id.
    await post(`/api/games/${game.id}/end`, host);
    expect((await app.request('GET', `/api/games/pin/${game.pin}`)).status).toBe(404);
    expect(await get(`/api/games/${game.id}/screen`)).toMatchObject({ game: { status: 'ended' }, results: { seq: 1 }, question: null });
  });
});
