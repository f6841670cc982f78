// Browser tests drive Debian's Chromium through playwright-core (no browser download). The browser
// is CHROMIUM_PATH or the first chromium on PATH. Without one, a developer's run skips these tests
// with one line; under CI=true that is a failure, since CI installs chromium (.ci/run).
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe } from 'vitest';
import type { TestApp } from '../harness/app.js';

const NAMES = ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome'];

export function findChromium(): string | undefined {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    for (const name of NAMES) if (dir && existsSync(path.join(dir, name))) return path.join(dir, name);
  }
  return undefined;
}

const executablePath = findChromium();
const WEB_BUILD = path.resolve('web/dist/index.html');

/** `describe` when a browser is there; otherwise a skip with one line, or a failure under CI. */
export function describeInBrowser(name: string, body: () => void): void {
  if (!executablePath) {
    if (process.env.CI === 'true') throw new Error('No Chromium for the browser tests: install the chromium package or set CHROMIUM_PATH');
    console.warn(`[browser tests skipped] ${name}: no Chromium (set CHROMIUM_PATH or install chromium)`);
    describe.skip(name, body);
    return;
  }
  if (!existsSync(WEB_BUILD)) throw new Error('web/dist is missing: run `npm run web:build` (npm install does it) before the browser tests');
  describe(name, body);
}

export function launchBrowser(): Promise<Browser> {
  // Root in a container has no user namespace for Chromium's sandbox.
  return chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

export interface Viewport {
  width: number;
  height: number;
}
export const PHONE: Viewport = { width: 360, height: 740 };
export const DESKTOP: Viewport = { width: 1280, height: 800 };
export const PROJECTOR: Viewport = { width: 1920, height: 1080 };

export function newContext(browser: Browser, baseURL: string, viewport: Viewport = DESKTOP): Promise<BrowserContext> {
  return browser.newContext({ baseURL, viewport });
}

const SCREENSHOTS = path.resolve('docs/screenshots');

/** Saves the page for the README (docs/screenshots/<name>.png). */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: false });
}

/** Signs in through the page as a guest with this nickname. */
export async function signInAsGuest(page: Page, nickname: string): Promise<void> {
  await page.goto('/signin');
  await page.getByLabel('Nickname').fill(nickname);
  await page.getByRole('button', { name: 'Continue as guest' }).click();
  await page.getByTestId('signed-in-as').filter({ hasText: nickname }).waitFor();
}

export interface BrowserSuite {
  /** The server the suite started (set once its beforeAll has run). */
  readonly app: TestApp;
  /** Script errors on every page `open` made: a test asserts there were none. */
  readonly errors: string[];
  /** A page in a browser context of its own (its own storage), optionally already signed in. */
  open(viewport?: Viewport, options?: { session?: unknown }): Promise<Page>;
}

/**
 * One server and one browser for a describe block, started before its tests and stopped after
 * them. Call it in the block's body.
 */
export function browserSuite(startApp: () => Promise<TestApp>): BrowserSuite {
  let app: TestApp | undefined;
  let browser: Browser | undefined;
  const errors: string[] = [];
  beforeAll(async () => {
    app = await startApp();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });
  return {
    get app() {
      return app!;
    },
    errors,
    async open(viewport = DESKTOP, { session }: { session?: unknown } = {}) {
      const context = await newContext(browser!, app!.url, viewport);
      // The web app keeps its session here (web/src/api/session.ts); set before any script runs.
      if (session !== undefined)
        await context.addInitScript({ content: `localStorage.setItem('stampede.session', ${JSON.stringify(JSON.stringify(session))})` });
      const page = await context.newPage();
      page.on('pageerror', (error) => errors.push(`${page.url()}: ${error.message}`));
      return page;
    },
  };
}
