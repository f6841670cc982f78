// The product pages in a real browser, on one server: a misspelt search still finds the
// product, a player ranks a category with the keyboard alone at 360 px and watches the stats move
// live, sees the ranking in their activity, and signing in by email works end to end through a
// local SMTP stand-in (the link followed in the browser, then refused when reused).
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { signUp, startTestApp } from '../harness/app.js';
import { waitFor } from '../harness/processes.js';
import { startSmtpStandIn, type SmtpStandIn } from '../harness/smtp-stand-in.js';
import { ADMIN_ENV, adminSession } from '../http/events-fixtures.js';
import { browserSuite, describeInBrowser, DESKTOP, PHONE, screenshot, signInAsGuest } from './browser.js';

// The mail's links point here; the test follows their path on the test server.
const PUBLIC_URL = 'https://stampede.example';
const CATEGORY = 'headphones';
const PRODUCTS = [
  { slug: 'wireless-headphones-pro', name: 'Wireless Headphones Pro', brand: 'Sonora', attributes: { battery: '30 h', colour: 'black' } },
  { slug: 'studio-headphones', name: 'Studio Headphones', brand: 'Monitor Co' },
  { slug: 'earbuds-mini', name: 'Earbuds Mini', brand: 'Sonora' },
];

describeInBrowser('product pages', () => {
  let smtp: SmtpStandIn | undefined;
  // Registered first, so that it runs after the suite has stopped the server.
  afterAll(() => smtp?.close());
  const suite = browserSuite(async () => {
    smtp = await startSmtpStandIn();
    return startTestApp({ env: { ...ADMIN_ENV, SMTP_URL: smtp.url, PUBLIC_URL, MESSAGING_RETRY_BACKOFF_MS: '10' } });
  });
  const { errors } = suite;
  const ids = new Map<string, string>();

  beforeAll(async () => {
    const { token } = await adminSession(suite.app);
    for (const product of PRODUCTS) {
      const created = await suite.app.request('POST', '/api/products', { token, body: { ...product, category: CATEGORY } });
      expect(created.status).toBe(201);
      ids.set(product.slug, (await created.json()).product.id);
    }
  });

  const open = (viewport = PHONE) => suite.open(viewport);
  const pageWidth = (page: Page) => page.evaluate('document.documentElement.scrollWidth') as Promise<number>;

  it('finds a product despite typos, from a debounced search box', async () => {
    const page = await open(DESKTOP);
    await page.goto('/products');
    await page.getByRole('link', { name: 'Studio Headphones' }).waitFor();
    await page.getByLabel('Search products').fill('wireles hedphones');
    await page.getByRole('status').filter({ hasText: '1 product for “wireles hedphones”' }).waitFor();
    expect(await page.getByRole('list').last().getByRole('link', { name: 'Studio Headphones' }).count()).toBe(0);
    expect(new URL(page.url()).searchParams.get('q')).toBe('wireles hedphones');
    await screenshot(page, 'products');

    await page.getByLabel('Search products').fill('zzzzqqq');
    await page.getByText('No products match “zzzzqqq”').waitFor();
    expect(errors).toEqual([]);
  });

  let player: Page;

  it('ranks a category with the keyboard alone and sees the stats, live and on the product page', async () => {
    player = await open(PHONE);
    await signInAsGuest(player, 'Ranker');
    await player.goto(`/rankings/${CATEGORY}`);
    // Alphabetical to start: Earbuds, Studio, Wireless. Move Wireless to the top with Alt+Up twice.
    const wireless = player.getByRole('listitem', { name: '3. Wireless Headphones Pro' });
    await wireless.focus();
    await player.keyboard.press('Alt+ArrowUp');
    await player.getByRole('listitem', { name: '2. Wireless Headphones Pro' }).and(player.locator(':focus')).waitFor();
    await player.keyboard.press('Alt+ArrowUp');
    await player.getByRole('listitem', { name: '1. Wireless Headphones Pro' }).and(player.locator(':focus')).waitFor();
    await player.getByRole('button', { name: 'Submit my ranking' }).focus();
    await player.keyboard.press('Enter');
    await player.getByText('Your ranking is in.').waitFor();

    const stats = player.getByTestId('category-stats');
    const row = (name: string) => stats.getByRole('row', { name: new RegExp(name) });
    await row('Wireless Headphones Pro')
      .filter({ hasText: /^Wireless Headphones Pro2/ })
      .waitFor();
    // Another player's ranking arrives over the socket, without a reload.
    const other = await signUp(suite.app);
    const order = ['studio-headphones', 'wireless-headphones-pro', 'earbuds-mini'].map((slug) => ids.get(slug)!);
    expect((await suite.app.request('POST', '/api/rankings', { token: other.token, body: { category: CATEGORY, order } })).status).toBe(200);
    await player.getByRole('heading', { name: 'Live stats (2 rankers)' }).waitFor();
    await row('Wireless Headphones Pro')
      .filter({ hasText: /^Wireless Headphones Pro3/ })
      .waitFor();
    expect(await pageWidth(player)).toBeLessThanOrEqual(PHONE.width);

    await row('Wireless Headphones Pro').getByRole('link').click();
    await player.getByRole('heading', { level: 1, name: 'Wireless Headphones Pro' }).waitFor();
    await player.getByTestId('my-position').filter({ hasText: 'You ranked it #1 of 3' }).waitFor();
    const productStats = player.getByTestId('product-stats');
    await productStats.getByText(/Borda score\s*3/).waitFor();
    await productStats.getByText(/Rankers\s*2/).waitFor();
    // Positions 1 and 2: mean 1.5 with its interval.
    await productStats.getByText(/Average position\s*1\.5\s*95 %: -?\d/).waitFor();
    // Opening the page signed in counted one view, and the page's count includes it.
    await productStats.getByText(/Views\s*1$/).waitFor();
    const views = await suite.app.request('GET', `/api/products/${ids.get('wireless-headphones-pro')}/views`);
    expect((await views.json()).views).toBe(1);
    expect(await pageWidth(player)).toBeLessThanOrEqual(PHONE.width);
    await player.setViewportSize(DESKTOP);
    await screenshot(player, 'product');
    await player.setViewportSize(PHONE);
    expect(errors).toEqual([]);
  });

  it('lists the ranking in my activity', async () => {
    const { token } = JSON.parse((await player.evaluate("localStorage.getItem('stampede.session')")) as string) as { token: string };
    // The log is written in batches: wait for the entry before opening the page.
    const logged = async () => (await (await suite.app.request('GET', '/api/me/activity', { token })).json()).items.length > 0;
    await waitFor(logged, 10_000, 'the activity entry');
    await player.getByRole('link', { name: 'Activity' }).click();
    await player.getByRole('heading', { name: 'My activity' }).waitFor();
    const entry = player.getByTestId('activity').locator('[data-kind="ranking.submitted"]');
    await entry.getByText('Ranked headphones (3 products)').waitFor();
    expect(errors).toEqual([]);
  });

  it('signs in by email through the link, and refuses the link the second time', async () => {
    const email = `mailed-${Date.now().toString(36)}@example.com`;
    await signUp(suite.app, { handle: 'mailed', email });
    const page = await open(PHONE);
    await page.goto('/signin');
    await page.getByRole('tab', { name: 'Email me a link' }).click();
    await page.getByLabel('Email').fill(email);
    await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `If an account uses ${email}` })
      .waitFor();

    await waitFor(async () => smtp!.to(email).length === 1, 20_000, 'the sign-in mail');
    const link = new URL(/https?:\/\/\S+/.exec(smtp!.to(email)[0]!.text)![0]);
    expect(`${link.origin}${link.pathname}`).toBe(`${PUBLIC_URL}/sign-in/email`);
    await page.goto(link.pathname + link.search);
    await page.getByTestId('signed-in-as').filter({ hasText: 'mailed' }).waitFor();
    // Signed in, the page moves on and the spent token leaves the address bar.
    await page.getByRole('heading', { level: 1, name: 'Products' }).waitFor();
    expect(page.url()).not.toContain('token=');

    const again = await open(PHONE);
    await again.goto(link.pathname + link.search);
    await again.getByRole('alert').filter({ hasText: 'This sign-in link no longer works.' }).waitFor();
    expect(await again.getByTestId('signed-in-as').count()).toBe(0);
    expect(errors).toEqual([]);
  });
});
