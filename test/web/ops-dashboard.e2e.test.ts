// The operations dashboard on PostgreSQL + Redis: stopping PostgreSQL under traffic shows the
// database breaker open within 5 s, and closed again once PostgreSQL is back.
import type { Page } from 'playwright-core';
import { afterAll, expect, it } from 'vitest';
import { startTestApp } from '../harness/app.js';
import { createDatabase, startPostgres, waitFor, type PostgresServer } from '../harness/processes.js';
import { browserSuite, describeInBrowser, screenshot } from './browser.js';

const ADMIN = { email: 'ops-admin@example.com', password: 'ops-admin-password' };

describeInBrowser('operations dashboard', () => {
  let postgres: PostgresServer | undefined;
  // Registered first, so that it runs after the suite has stopped the server.
  afterAll(() => postgres?.destroy());
  const suite = browserSuite(async () => {
    postgres = await startPostgres();
    return startTestApp({
      databaseUrl: await createDatabase(postgres.url),
      redis: true,
      env: { STAMPEDE_ADMIN_EMAIL: ADMIN.email, STAMPEDE_ADMIN_PASSWORD: ADMIN.password, BREAKER_HALF_OPEN_MS: '1000' },
    });
  });

  // Traffic that needs the database: what makes a breaker notice an outage.
  const login = () => suite.app.request('POST', '/api/auth/login', { body: { email: 'nobody@example.com', password: 'whatever1' } });
  const breaker = (page: Page, state: string) => page.getByTestId('breaker-postgres').filter({ hasText: `postgres: ${state}` });

  it('shows the database breaker open within 5 s of stopping PostgreSQL, and closed after it returns', async () => {
    const page = await suite.open();
    await page.goto('/signin');
    await page.getByRole('tab', { name: 'Log in' }).click();
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('link', { name: 'Operations' }).click();
    await breaker(page, 'closed').waitFor();
    for (let i = 0; i < 20; i++) expect((await login()).status).toBe(401);
    await page.getByTestId('ops-Requests').filter({ hasNotText: '–' }).waitFor();
    await screenshot(page, 'ops-dashboard');

    await postgres!.stop();
    const stopped = Date.now();
    for (let i = 0; i < 5; i++) expect((await login()).status).toBe(503);
    await breaker(page, 'open').waitFor({ timeout: 5000 });
    expect(Date.now() - stopped).toBeLessThan(5000);

    await postgres!.start();
    await waitFor(async () => (await login()).status === 401, 15_000, 'the server to recover after PostgreSQL came back');
    await breaker(page, 'closed').waitFor({ timeout: 5000 });
  });
});
