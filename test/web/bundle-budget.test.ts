// The budget of the build (web/dist, made by `npm install` or `npm run web:build`): a player's
// first page loads at most 150 kB of gzipped JavaScript, the organizer and operations pages are
// separate chunks, and index.html has no inline script (the CSP allows none).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';

const DIST = path.resolve('web/dist');
const FIRST_LOAD_BUDGET_BYTES = 150_000;

interface Chunk {
  file: string;
  src?: string;
  isEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
}

describe('web build budget', () => {
  let manifest: Record<string, Chunk>;
  let firstLoad: Set<string>;

  beforeAll(() => {
    const file = path.join(DIST, '.vite/manifest.json');
    if (!existsSync(file)) throw new Error('web/dist is missing: run `npm run web:build` (npm install does it)');
    manifest = JSON.parse(readFileSync(file, 'utf8'));
    // The entry and everything it imports statically: what the browser loads before the first paint.
    firstLoad = new Set();
    const visit = (key: string) => {
      if (firstLoad.has(key)) return;
      firstLoad.add(key);
      for (const next of manifest[key]!.imports ?? []) visit(next);
    };
    visit(Object.keys(manifest).find((key) => manifest[key]!.isEntry)!);
  });

  it('loads at most 150 kB of gzipped JavaScript on a player page', () => {
    const bytes = [...firstLoad].reduce((total, key) => total + gzipSync(readFileSync(path.join(DIST, manifest[key]!.file))).length, 0);
    console.warn(`first-load JavaScript: ${(bytes / 1000).toFixed(1)} kB gzipped (budget ${FIRST_LOAD_BUDGET_BYTES / 1000} kB)`);
    expect(bytes).toBeLessThanOrEqual(FIRST_LOAD_BUDGET_BYTES);
  });

  it('splits the organizer, operations, big-screen, product and activity pages off the first load', () => {
    for (const page of [
      'src/pages/products/list.tsx',
      'src/pages/products/product.tsx',
      'src/pages/products/rank.tsx',
      'src/pages/activity.tsx',
      'src/pages/email-sign-in.tsx',
      'src/pages/organizer/console.tsx',
      'src/pages/organizer/event.tsx',
      'src/pages/ops/dashboard.tsx',
      'src/pages/screen/board.tsx',
      'src/pages/screen/trivia.tsx',
      'src/pages/organizer/trivia.tsx',
      'src/pages/organizer/quizzes.tsx',
      'src/pages/organizer/quiz-editor.tsx',
    ]) {
      expect(manifest[page], `${page} is a chunk of its own`).toBeDefined();
      expect(firstLoad.has(page), `${page} is not in the first load`).toBe(false);
    }
  });

  it('has no inline script in index.html', () => {
    const html = readFileSync(path.join(DIST, 'index.html'), 'utf8');
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map(([tag]) => tag);
    expect(scripts.length).toBeGreaterThan(0);
    for (const tag of scripts) expect(tag).toMatch(/\bsrc="\/assets\//);
    expect(html).not.toMatch(/<script\b[^>]*>[^<]+<\/script>/);
  });
});
