// The upgrade policy of scripts/deps-check.ts as pure functions: given what is installed and
// what the registry says, which dependencies break the policy. No I/O here, so it is tested
// without a network (test/deps-check.test.ts).

export interface DependencyFacts {
  /** As listed in package.json (an alias such as "typescript" for @typescript/typescript6). */
  name: string;
  production: boolean;
  /** The installed version, from node_modules. */
  installed: string;
  /** The registry's `latest` dist-tag. */
  latest: string;
  /** The registry's deprecation message for the installed version, if any. */
  deprecated?: string;
}

export type Verdict =
  | { name: string; status: 'ok' }
  /** One breaking line behind: allowed, reported so it is planned. */
  | { name: string; status: 'behind'; installed: string; latest: string }
  /** A production dependency more than one breaking line behind: fails. */
  | { name: string; status: 'outdated'; installed: string; latest: string; lag: number }
  /** Deprecated on the registry: fails, production or not. */
  | { name: string; status: 'deprecated'; installed: string; message: string };

interface Version {
  major: number;
  minor: number;
  patch: number;
}

function parse(version: string): Version {
  const match = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version.trim());
  if (!match) throw new Error(`not a semver version: ${version}`);
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3]) };
}

/**
 * How many breaking lines `installed` is behind `latest`. Semver's breaking line is the major,
 * or for 0.x the minor (0.44 -> 0.45 is a major), or for 0.0.x the patch; leaving 0.x for 1.x
 * counts as one. Never negative (an installed prerelease ahead of `latest` is not behind).
 */
export function breakingLag(installed: string, latest: string): number {
  const from = parse(installed);
  const to = parse(latest);
  if (to.major > from.major) return from.major === 0 ? to.major : to.major - from.major;
  if (to.major < from.major || to.major > 0) return 0;
  if (to.minor > from.minor) return from.minor === 0 ? to.minor : to.minor - from.minor;
  if (to.minor < from.minor || to.minor > 0) return 0;
  return Math.max(0, to.patch - from.patch);
}

/**
 * The policy: a production dependency may be at most one breaking line behind `latest`; no
 * direct dependency may be deprecated. Development dependencies may lag (@types/node follows
 * the oldest Node we support, not the newest).
 */
export function judge(facts: DependencyFacts): Verdict {
  const { name, installed, latest } = facts;
  if (facts.deprecated) return { name, status: 'deprecated', installed, message: facts.deprecated };
  const lag = breakingLag(installed, latest);
  if (!facts.production || lag === 0) return { name, status: 'ok' };
  if (lag === 1) return { name, status: 'behind', installed, latest };
  return { name, status: 'outdated', installed, latest, lag };
}

export function failures(verdicts: readonly Verdict[]): Verdict[] {
  return verdicts.filter((verdict) => verdict.status === 'outdated' || verdict.status === 'deprecated');
}
