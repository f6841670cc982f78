// The docs tell the truth about the repository: every relative link in README.md and docs/
// resolves, every environment variable they name is one src/config.ts reads (or one the
// benchmark and test scripts read, such as BENCH_SERVER_OUTPUT), and every variable config.ts
// reads is documented.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE } from '../src/errors.js';

const root = path.resolve(import.meta.dirname, '..');
const pages = [
  'README.md',
  ...readdirSync(path.join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
];
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

/** Source files under `dir`, recursively. */
function sources(dir: string): string[] {
  return readdirSync(path.join(root, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)));
}

describe('docs', () => {
  it('link only to files that exist', () => {
    const broken: string[] = [];
    for (const page of pages) {
      // Inline links [text](target "title"); code spans are stripped first so examples are not links.
      const text = read(page)
        .replace(/```[\s\S]*?```/g, '')
        .replace(/`[^`\n]*`/g, '');
      for (const [, target] of text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
        if (/^([a-z][a-z0-9+.-]*:|#)/i.test(target!)) continue; // absolute URLs and anchors in the page
        const file = decodeURIComponent(target!.split('#')[0]!);
        if (!existsSync(path.resolve(root, path.dirname(page), file))) broken.push(`${page}: ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('name only environment variables that exist, and name every one config.ts reads', () => {
    const configured = new Set([...read('src/config.ts').matchAll(/'([A-Z][A-Z0-9_]+)'/g)].map(([, name]) => name!));
    const scripts = [...sources('bench'), ...sources('test')].map(read).join('\n');
    const errorCodes = new Set(Object.keys(ERROR_CATALOGUE));
    const documented = new Set<string>();
    const unknown: string[] = [];
    for (const page of pages) {
      for (const [, name] of read(page).matchAll(/`([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*)(?:=[^`]*)?`/g)) {
        documented.add(name!);
        if (!name!.includes('_') || errorCodes.has(name!) || configured.has(name!)) continue;
        if (scripts.includes(`process.env.${name}`)) continue;
        unknown.push(`${page}: ${name}`);
      }
    }
    expect(unknown, 'named in the docs but not read by src/config.ts').toEqual([]);
    expect(
      [...configured].filter((name) => !documented.has(name)),
      'read by src/config.ts but not documented',
    ).toEqual([]);
  });
});
