import { describe, expect, it } from 'vitest';
import { breakingLag, failures, judge, type DependencyFacts } from '../scripts/deps-policy.js';

const dep = (facts: Partial<DependencyFacts>): DependencyFacts => ({ name: 'pkg', production: true, installed: '1.0.0', latest: '1.0.0', ...facts });

describe('breakingLag', () => {
  it('counts majors, minors below 1.0 and patches below 0.1 as breaking lines', () => {
    expect(breakingLag('5.81.5', '5.99.0')).toBe(0);
    expect(breakingLag('5.2.6', '6.1.3')).toBe(1);
    expect(breakingLag('3.2.1', '5.0.0')).toBe(2);
    expect(breakingLag('0.44.7', '0.44.9')).toBe(0);
    expect(breakingLag('0.44.7', '0.45.4')).toBe(1);
    expect(breakingLag('0.44.7', '0.46.0')).toBe(2);
    expect(breakingLag('0.34.52', '1.4.3')).toBe(1);
    expect(breakingLag('0.34.52', '2.0.0')).toBe(2);
    expect(breakingLag('0.0.3', '0.0.4')).toBe(1);
    expect(breakingLag('0.0.3', '0.2.0')).toBe(2);
  });

  it('is never negative: a version ahead of latest (a prerelease, a rolled-back tag) is not behind', () => {
    expect(breakingLag('7.0.0-beta.1', '6.9.0')).toBe(0);
    expect(breakingLag('0.45.0', '0.44.7')).toBe(0);
    expect(breakingLag('1.0.0', '0.9.0')).toBe(0);
  });

  it('refuses what is not a version', () => {
    expect(() => breakingLag('latest', '1.0.0')).toThrow(/not a semver version/);
  });
});

describe('judge', () => {
  it('lets a production dependency be one major behind, and fails it at two', () => {
    expect(judge(dep({ installed: '2.3.0', latest: '2.9.1' }))).toEqual({ name: 'pkg', status: 'ok' });
    expect(judge(dep({ installed: '5.2.6', latest: '6.1.3' }))).toEqual({ name: 'pkg', status: 'behind', installed: '5.2.6', latest: '6.1.3' });
    expect(judge(dep({ installed: '4.1.0', latest: '6.0.0' }))).toEqual({
      name: 'pkg',
      status: 'outdated',
      installed: '4.1.0',
      latest: '6.0.0',
      lag: 2,
    });
  });

  it('lets development dependencies lag (@types/node follows the oldest supported Node)', () => {
    expect(judge(dep({ production: false, installed: '20.19.43', latest: '26.6.11' }))).toEqual({ name: 'pkg', status: 'ok' });
  });

  it('fails a deprecated version, production or development, however current', () => {
    const message = 'no longer maintained';
    expect(judge(dep({ deprecated: message }))).toEqual({ name: 'pkg', status: 'deprecated', installed: '1.0.0', message });
    expect(judge(dep({ production: false, deprecated: message })).status).toBe('deprecated');
  });
});

describe('failures', () => {
  it('keeps the outdated and the deprecated, not the ones one major behind', () => {
    const verdicts = [
      judge(dep({ name: 'a' })),
      judge(dep({ name: 'b', installed: '1.0.0', latest: '2.0.0' })),
      judge(dep({ name: 'c', installed: '1.0.0', latest: '3.0.0' })),
      judge(dep({ name: 'd', production: false, deprecated: 'use e' })),
    ];
    expect(failures(verdicts).map((verdict) => verdict.name)).toEqual(['c', 'd']);
  });
});
