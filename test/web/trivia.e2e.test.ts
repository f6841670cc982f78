// A live trivia game in the browser, each person in a browser context of their own: the host runs
// it from the host console (start, close, next, end) and sees the live answered count; three
// players join by PIN on phones, see each question, answer, and see their results and ranks; the
// big screen (/screen/trivia/:pin, no sign-in, 1920x1080) shows the PIN, the question, the
// answered count, the distribution once a question is scored, and the top 10. The host closes
// the first question and ends the game during the second instead of waiting out their windows.
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { startTestApp } from '../harness/app.js';
import { ADMIN_ENV, adminSession } from '../http/events-fixtures.js';
import { browserSuite, describeInBrowser, DESKTOP, PHONE, PROJECTOR, screenshot } from './browser.js';

const NICKNAMES = ['Ada', 'Grace', 'Linus'];
const QUIZ = {
  title: 'Geography',
  questions: [
    { text: 'Capital of France?', kind: 'choice', options: ['Lyon', 'Paris', 'Nice'], answer: 1, timeLimitSec: 60 },
    { text: 'Longest river?', kind: 'choice', options: ['Nile', 'Rhine', 'Seine'], answer: 0, timeLimitSec: 60 },
  ],
};
// Ada and Grace are right, Linus is wrong.
const CHOICES = [/Paris/, /Paris/, /Lyon/];

describeInBrowser('trivia in the browser', () => {
  const suite = browserSuite(() => startTestApp({ env: ADMIN_ENV }));
  const open = (viewport = PHONE) => suite.open(viewport);
  const ranksOf = (players: Page[]) => Promise.all(players.map(async (page) => Number(await page.getByTestId('rank').textContent())));

  it('a host, three players and the big screen play a game: question, answers, results and ranks', async () => {
    const admin = await adminSession(suite.app);
    expect((await suite.app.request('POST', '/api/quizzes', { token: admin.token, body: QUIZ })).status).toBe(201);

    // The host's session is put in place before the page loads (signing in through the page is
    // covered by pages.e2e.test.ts); the game is created from the console.
    const host = await suite.open(DESKTOP, { session: admin });
    await host.goto('/organizer/trivia');
    await host.getByRole('button', { name: 'Start a game of Geography' }).click();
    const pin = (await host.getByTestId('pin').textContent())!;
    expect(pin).toMatch(/^\d{6}$/);
    const hostButton = (name: string) => host.getByRole('button', { name, exact: true });
    const hostStatus = (status: string) => host.locator(`[data-status="${status}"]`).waitFor();

    // The big screen needs nothing but the URL.
    const screen = await open(PROJECTOR);
    await screen.goto(`/screen/trivia/${pin}`);
    await screen.getByTestId('screen-pin').filter({ hasText: pin }).waitFor();

    const players = await Promise.all(
      NICKNAMES.map(async (nickname) => {
        const page = await open();
        await page.goto('/play');
        await page.getByLabel('Game PIN').fill(pin);
        await page.getByLabel('Your nickname').fill(nickname);
        await page.getByRole('button', { name: 'Join' }).click();
        await page.locator('[data-status="lobby"]').waitFor();
        return page;
      }),
    );

    // Question 1: the players answer, the host closes it early (the schedule scores it after the
    // grace period), and everyone sees the results.
    const [first, second] = QUIZ.questions;
    await hostButton('Start').click();
    for (const page of players) await page.getByTestId('question').filter({ hasText: first!.text }).waitFor({ timeout: 15_000 });
    await screen.getByTestId('screen-question').filter({ hasText: first!.text }).waitFor();
    await screenshot(players[0]!, 'trivia-question');
    for (const [i, page] of players.entries()) if (i < 2) await page.getByRole('button', { name: CHOICES[i]! }).click();
    // Linus's answer reaches the server but the response is lost: "Try again" resends it with the
    // same Idempotency-Key, and the server replays its first ack instead of answering twice.
    const linus = players[2]!;
    const keys: string[] = [];
    await linus.route('**/api/games/*/answers', async (route) => {
      keys.push(route.request().headers()['idempotency-key'] ?? 'none');
      if (keys.length > 1) return route.continue();
      await route.fetch();
      await route.abort('connectionreset');
    });
    await linus.getByRole('button', { name: CHOICES[2]! }).click();
    const replayed = linus.waitForResponse((response) => response.url().endsWith('/answers'));
    await linus.getByRole('button', { name: 'Try again' }).click();
    expect(await (await replayed).headerValue('idempotent-replayed')).toBe('true');
    expect(keys).toHaveLength(2);
    expect(keys[0]).toMatch(/^[0-9a-f-]{32,36}$/);
    expect(keys[1]).toBe(keys[0]);
    for (const page of players) await page.getByTestId('answered').waitFor();
    await host
      .getByTestId('answered-count')
      .filter({ hasText: String(players.length) })
      .waitFor();
    await screen
      .getByTestId('screen-answered')
      .filter({ hasText: String(players.length) })
      .waitFor();

    await hostButton('Close').click();
    await hostStatus('results');
    for (const page of players) await page.getByTestId('rank').waitFor();
    const ranks = await ranksOf(players);
    expect(ranks[2]).toBe(3);
    expect(ranks.slice(0, 2).sort()).toEqual([1, 2]);
    await screenshot(players[0]!, 'trivia-results');

    const bars = screen.getByTestId('distribution').locator('li');
    await bars.first().waitFor();
    expect(await bars.evaluateAll((items) => items.map((item) => [item.getAttribute('data-count'), item.getAttribute('data-right')]))).toEqual([
      ['1', 'false'],
      ['2', 'true'],
      ['0', 'false'],
    ]);
    const top = screen.getByTestId('screen-board');
    expect(await top.locator('li').count()).toBe(NICKNAMES.length);
    expect(await top.locator('li[data-rank="3"]').textContent()).toContain('Linus');
    await screenshot(screen, 'trivia-screen');

    // Question 2 reaches everyone; the host ends the game during it (it is scored first), and
    // everyone sees the final standing.
    await hostButton('Next').click();
    for (const page of players) await page.getByTestId('question').filter({ hasText: second!.text }).waitFor({ timeout: 15_000 });
    await screen.getByTestId('screen-question').filter({ hasText: second!.text }).waitFor();
    await hostButton('End').click();
    await hostStatus('ended');
    for (const page of players) await page.locator('[data-status="ended"]').getByTestId('rank').waitFor();
    expect(await ranksOf(players)).toEqual(ranks);
    await screen.locator('main[data-status="ended"]').waitFor();
    expect(await screen.getByTestId('distribution').locator('li[data-right="true"]').textContent()).toContain('Nile');
    expect(await top.locator('li[data-rank="3"]').textContent()).toContain('Linus');
  });
});
