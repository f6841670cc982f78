// The registration page in a real browser against a real server: the waitlist turning into a
// spot without a reload, and a double-clicked Register creating one registration.
import type { Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { startTestApp } from '../harness/app.js';
import { ADMIN_ENV, adminSession } from '../http/events-fixtures.js';
import { browserSuite, describeInBrowser, PHONE, screenshot, signInAsGuest } from './browser.js';

describeInBrowser('registration pages', () => {
  const suite = browserSuite(() => startTestApp({ env: ADMIN_ENV }));
  let admin: string;
  beforeAll(async () => {
    admin = (await adminSession(suite.app)).token;
  });

  async function openEvent(slug: string, capacity: number): Promise<string> {
    const created = await suite.app.request('POST', '/api/events', {
      token: admin,
      body: { slug, title: `Workshop ${slug}`, capacity, mode: 'fcfs', waitlist: true },
    });
    const { event } = await created.json();
    // Without opensAt an event opens at once.
    expect(event.status).toBe('open');
    return event.id;
  }

  const state = (page: Page) => page.getByTestId('registration-state');

  it('moves the second player from waitlist position 1 to confirmed when the first cancels', async () => {
    const eventId = await openEvent('one-spot', 1);
    const first = await suite.open();
    const second = await suite.open(PHONE);
    await signInAsGuest(first, 'Ada');
    await signInAsGuest(second, 'Grace');

    await first.goto(`/events/${eventId}`);
    await first.getByTestId('register').click();
    await state(first).and(first.locator('[data-state="confirmed"]')).waitFor();

    await second.goto(`/events/${eventId}`);
    await second.getByTestId('register').click();
    await second.locator('[data-state="waitlisted"]').waitFor();
    expect(await second.getByTestId('position').textContent()).toBe('1');
    await screenshot(second, 'event-waitlisted-phone');

    await first.getByRole('button', { name: 'Cancel my spot' }).click();
    await first.getByRole('group').getByRole('button', { name: 'Cancel my spot' }).click();
    await first.locator('[data-state="cancelled"]').waitFor();

    // No reload: the second page hears of its promotion over the socket.
    await second.locator('[data-state="confirmed"]').waitFor();
    expect(await second.getByText('You have a spot.').isVisible()).toBe(true);
    await screenshot(second, 'event-confirmed-phone');
    await first.goto('/events');
    await first.getByRole('link', { name: 'Workshop one-spot' }).waitFor();
    await screenshot(first, 'events');
  });

  it('creates one registration from a double-clicked Register, with one Idempotency-Key', async () => {
    const eventId = await openEvent('double-click', 5);
    const page = await suite.open();
    await signInAsGuest(page, 'Linus');
    const keys: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url().endsWith(`/api/events/${eventId}/registrations`))
        keys.push(request.headers()['idempotency-key'] ?? 'none');
    });
    await page.goto(`/events/${eventId}`);
    await page.getByTestId('register').dblclick();
    await page.locator('[data-state="confirmed"]').waitFor();

    expect(keys.length).toBeGreaterThanOrEqual(1);
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).not.toBe('none');
    const listed = await (await suite.app.request('GET', `/api/events/${eventId}/registrations`, { token: admin })).json();
    expect(listed.total).toBe(1);
    expect((await (await suite.app.request('GET', `/api/events/${eventId}`)).json()).event.counts.confirmed).toBe(1);
  });
});
