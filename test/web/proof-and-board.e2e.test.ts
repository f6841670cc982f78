// The lottery proof page verifies a real draw in the browser and reports a tampered proof as not
// matching; the big-screen board follows an action completed through the API within a second.
import { beforeAll, expect, it } from 'vitest';
import { signUp, startTestApp } from '../harness/app.js';
import { ADMIN_ENV, adminSession } from '../http/events-fixtures.js';
import { browserSuite, describeInBrowser, PROJECTOR, screenshot } from './browser.js';

describeInBrowser('proof and big-screen pages', () => {
  const suite = browserSuite(() => startTestApp({ env: ADMIN_ENV }));
  let admin: string;
  beforeAll(async () => {
    admin = (await adminSession(suite.app)).token;
  });

  it('verifies a real draw in the browser and rejects a tampered copy', async () => {
    const created = await suite.app.request('POST', '/api/events', {
      token: admin,
      body: { slug: 'raffle', title: 'Raffle', capacity: 2, mode: 'lottery' },
    });
    const { event } = await created.json();
    for (let i = 0; i < 5; i++) {
      const player = await signUp(suite.app);
      expect((await suite.app.request('POST', `/api/events/${event.id}/registrations`, { token: player.token })).status).toBeLessThan(300);
    }
    expect((await suite.app.request('POST', `/api/events/${event.id}/close`, { token: admin })).status).toBe(200);
    expect((await suite.app.request('POST', `/api/events/${event.id}/draw`, { token: admin })).status).toBe(200);
    const proof = await (await suite.app.request('GET', `/api/events/${event.id}/lottery/proof`)).json();

    const page = await suite.open();
    await page.goto(`/events/${event.id}/proof`);
    await page.getByTestId('verify').click();
    const verdict = page.getByTestId('verdict');
    await verdict.waitFor();
    expect(await verdict.getAttribute('data-ok')).toBe('true');
    await screenshot(page, 'lottery-proof');

    const tampered = { ...proof, order: [proof.order[1], proof.order[0], ...proof.order.slice(2)] };
    await page.getByText('Check another copy of the proof').click();
    await page.getByTestId('pasted-proof').fill(JSON.stringify(tampered));
    await page.getByTestId('verify-pasted').click();
    await page.locator('[data-testid="verdict"][data-ok="false"]').waitFor();
    expect(await verdict.textContent()).toContain('It does not match');
  });

  it('shows an action completed through the API on the big-screen board within a second', async () => {
    expect(
      (await suite.app.request('POST', '/api/action-types', { token: admin, body: { key: 'checkin', name: 'Check in', baseScore: 10 } })).status,
    ).toBe(201);
    const complete = async (token: string, identifier: string) => {
      const response = await suite.app.request('POST', '/api/actions/complete', { token, body: { actionType: 'checkin', identifier } });
      expect(response.status).toBe(200);
    };
    const suffix = Date.now() % 100000;
    const handles = ['Ada', 'Grace', 'Linus'].map((name) => `${name}${suffix}`);
    const players = await Promise.all(handles.map((handle) => signUp(suite.app, { handle })));
    // Ada 10 points, Grace 20, Linus 30.
    for (const [i, player] of players.entries()) for (let n = 0; n <= i; n++) await complete(player.token, `seed-${n}`);

    // A projector: no sign-in, 1920x1080.
    const screen = await suite.open(PROJECTOR);
    await screen.goto('/screen/board/global');
    await screen.locator('li[data-rank="3"] .handle', { hasText: handles[0] }).waitFor();

    // Ada climbs from third to first (40 points); the screen must show it within a second.
    for (const identifier of ['jump-1', 'jump-2', 'jump-3']) await complete(players[0]!.token, identifier);
    const done = Date.now();
    await screen.locator('li[data-rank="1"] .handle', { hasText: handles[0] }).waitFor({ timeout: 1000 });
    expect(Date.now() - done).toBeLessThan(1000);
    // The picture shows the rows at rest, after the rank slide.
    await screen.evaluate('Promise.all(document.getAnimations().map((animation) => animation.finished))');
    await screenshot(screen, 'screen-board');
  });
});
