// A live trivia game in the browser: the host drives it through the API, three players join by
// PIN on phones (separate browser contexts), see the question, answer, and see their result and
// rank. The host closes the question instead of waiting out its window, so it runs fast.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../harness/app.js';
import { describeInBrowser, launchBrowser, newContext, PHONE, screenshot } from './browser.js';

const ADMIN = { email: 'trivia-admin@example.com', password: 'trivia-admin-password' };

describeInBrowser('trivia player page', () => {
  let app: TestApp;
  let browser: Browser;
  let host: string;

  beforeAll(async () => {
    app = await startTestApp({ env: { STAMPEDE_ADMIN_EMAIL: ADMIN.email, STAMPEDE_ADMIN_PASSWORD: ADMIN.password } });
    host = (await (await app.request('POST', '/api/auth/login', { body: ADMIN })).json()).token;
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('three players join by PIN, answer, and see their results and ranks', async () => {
    const question = { text: 'Capital of France?', kind: 'choice', options: ['Lyon', 'Paris', 'Nice'], answer: 1, timeLimitSec: 30 };
    const quiz = await app.request('POST', '/api/quizzes', { token: host, body: { title: 'Geography', questions: [question] } });
    expect(quiz.status).toBe(201);
    const created = await app.request('POST', '/api/games', { token: host, body: { quizId: (await quiz.json()).quiz.id, mode: 'live' } });
    expect(created.status).toBe(201);
    const { game } = await created.json();
    const move = async (action: string) => expect((await app.request('POST', `/api/games/${game.id}/${action}`, { token: host })).status).toBe(200);

    const players: Page[] = [];
    for (const nickname of ['Ada', 'Grace', 'Linus']) {
      const page = await (await newContext(browser, app.url, PHONE)).newPage();
      await page.goto('/play');
      await page.getByLabel('Game PIN').fill(game.pin);
      await page.getByLabel('Your nickname').fill(nickname);
      await page.getByRole('button', { name: 'Join' }).click();
      await page.locator('[data-status="lobby"]').waitFor();
      players.push(page);
    }

    await move('start');
    for (const page of players) await page.getByTestId('question').waitFor({ timeout: 15_000 });
    await screenshot(players[0]!, 'trivia-question');
    // Ada and Grace are right, Linus is wrong.
    for (const [i, page] of players.entries()) await page.getByRole('button', { name: i < 2 ? /Paris/ : /Lyon/ }).click();
    for (const page of players) await page.getByTestId('answered').waitFor();

    await move('close');
    for (const page of players) await page.getByTestId('rank').waitFor();
    const ranks = await Promise.all(players.map(async (page) => Number(await page.getByTestId('rank').textContent())));
    expect(ranks[2]).toBe(3);
    expect([...ranks.slice(0, 2)].sort()).toEqual([1, 2]);
    await screenshot(players[0]!, 'trivia-results');
  });
});
