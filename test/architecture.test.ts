// The dependency rule, checked on the source: http/ and realtime/ depend on features, features
// on the platform, never the other way. A feature reaches clients through platform ports; only
// its routes.ts and schemas.ts know HTTP. Parsed from import statements, so a new file is
// covered the moment it exists.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(import.meta.dirname, '../src');
const TRANSPORT_FILES = new Set(['routes.ts', 'schemas.ts']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

/** Every relative module a file imports or re-exports, as a path under src/. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*['"](\.[^'"]+)['"]/g)].map((match) => match[1]!);
  return specifiers.map((specifier) => path.relative(SRC, path.resolve(path.dirname(file), specifier)));
}

function violations(files: string[], isForbidden: (file: string, target: string) => boolean): string[] {
  return files.flatMap((file) =>
    importsOf(file)
      .filter((target) => isForbidden(file, target))
      .map((target) => `${path.relative(SRC, file)} -> ${target}`),
  );
}

describe('dependency rule', () => {
  const features = sourceFiles(path.join(SRC, 'features'));

  it('finds the source it checks', () => {
    expect(features.length).toBeGreaterThan(50);
    expect(importsOf(path.join(SRC, 'server.ts'))).toContain('realtime/gateway.js');
  });

  it('features import neither realtime/ nor http/, except their routes and schemas files importing http/', () => {
    const found = violations(features, (file, target) => {
      if (target.startsWith('realtime/')) return true;
      return target.startsWith('http/') && !TRANSPORT_FILES.has(path.basename(file));
    });
    expect(found).toEqual([]);
  });

  it('the platform and the domain import no feature, transport or server', () => {
    const lower = [...sourceFiles(path.join(SRC, 'platform')), ...sourceFiles(path.join(SRC, 'domain'))];
    const found = violations(lower, (_file, target) => /^(features|http|realtime)\//.test(target) || target === 'server.js');
    expect(found).toEqual([]);
  });

  it('a feature reaches another only through its index.ts', () => {
    const found = violations(features, (file, target) => {
      const [, own] = path.relative(SRC, file).split(path.sep);
      const [top, other, ...rest] = target.split('/');
      return top === 'features' && rest.length > 0 && other !== own && rest.join('/') !== 'index.js';
    });
    expect(found).toEqual([]);
  });
});
