// npm run deps:check: fails when a production dependency is more than one major behind the
// registry's latest, or when a direct dependency's installed version is deprecated. The policy
// itself is scripts/deps-policy.ts; this file gathers the facts with the npm client (so the
// registry, proxy and auth settings of .npmrc apply) and prints the verdicts.
//
// Exit codes: 0 within policy; 1 a dependency breaks it; 2 the registry could not be asked,
// so nothing was checked (pass --allow-offline to make that a warning and exit 0).
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { failures, judge, type DependencyFacts, type Verdict } from './deps-policy.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');
const CONCURRENCY = 6;
/** No retries and a short timeout: an unreachable registry is reported in seconds, not minutes. */
const NPM_FETCH = ['--fetch-retries=0', '--fetch-timeout=15000'];
const NETWORK_CODES = /\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ERR_SOCKET_TIMEOUT|FETCH_ERROR)\b/;

class RegistryUnreachable extends Error {}

interface Direct {
  name: string;
  production: boolean;
}

function readJson(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
}

function directDependencies(): Direct[] {
  const manifest = readJson(path.join(root, 'package.json'));
  const list = (field: string, production: boolean) =>
    Object.keys((manifest[field] as Record<string, string> | undefined) ?? {}).map((name) => ({ name, production }));
  return [...list('dependencies', true), ...list('devDependencies', false)];
}

/** The installed package's real name (an alias installs another package) and version. */
function installed(name: string): { realName: string; version: string } {
  const manifest = readJson(path.join(root, 'node_modules', name, 'package.json'));
  return { realName: String(manifest.name), version: String(manifest.version) };
}

async function npm(args: string[]): Promise<string> {
  try {
    const { stdout } = await run('npm', [...args, ...NPM_FETCH], { cwd: root, maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const output = `${(error as { stdout?: string }).stdout ?? ''}\n${(error as { stderr?: string }).stderr ?? ''}`;
    const network = NETWORK_CODES.exec(output);
    if (network) throw new RegistryUnreachable(network[1]);
    throw new Error(`npm ${args.join(' ')} failed: ${output.trim().split('\n').slice(-3).join(' ')}`, { cause: error });
  }
}

async function facts(dependency: Direct): Promise<DependencyFacts> {
  const { realName, version } = installed(dependency.name);
  // The installed version's whole manifest: asking for two fields returns a bare value when one
  // of them is absent, so the shape would depend on the answer.
  const answer = JSON.parse(await npm(['view', `${realName}@${version}`, '--json'])) as {
    'dist-tags'?: { latest?: string };
    deprecated?: string;
  };
  const latest = answer['dist-tags']?.latest;
  if (!latest) throw new Error(`the registry gave no latest version for ${realName}`);
  return {
    name: dependency.name === realName ? realName : `${dependency.name} (${realName})`,
    production: dependency.production,
    installed: version,
    latest,
    deprecated: answer.deprecated,
  };
}

async function mapLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

function describe(verdict: Verdict): string | undefined {
  switch (verdict.status) {
    case 'ok':
      return undefined;
    case 'behind':
      return `  behind      ${verdict.name} ${verdict.installed}, latest ${verdict.latest}: one major behind (allowed; plan the upgrade)`;
    case 'outdated':
      return `  FAIL        ${verdict.name} ${verdict.installed}, latest ${verdict.latest}: ${verdict.lag} majors behind (at most one allowed)`;
    case 'deprecated':
      return `  FAIL        ${verdict.name} ${verdict.installed} is deprecated: ${verdict.message}`;
  }
}

async function main(): Promise<number> {
  const allowOffline = process.argv.includes('--allow-offline');
  const dependencies = directDependencies();
  try {
    await npm(['ping']);
    const verdicts = (await mapLimited(dependencies, CONCURRENCY, facts)).map(judge);
    const production = dependencies.filter((dependency) => dependency.production).length;
    console.log(`deps:check: ${production} production and ${dependencies.length - production} development dependencies`);
    for (const line of verdicts.map(describe)) if (line) console.log(line);
    const failed = failures(verdicts);
    console.log(
      failed.length === 0 ? 'deps:check: within policy' : `deps:check: ${failed.length} dependencies break the upgrade policy (docs/architecture.md)`,
    );
    return failed.length === 0 ? 0 : 1;
  } catch (error) {
    if (!(error instanceof RegistryUnreachable)) throw error;
    const message = `deps:check: the npm registry could not be reached (${error.message}); dependencies were not checked`;
    if (allowOffline) {
      console.warn(`${message} (--allow-offline: not a failure)`);
      return 0;
    }
    console.error(`${message}. Run it where the registry is reachable, or pass --allow-offline.`);
    return 2;
  }
}

process.exitCode = await main();
