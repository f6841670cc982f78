import { describe, expect, it, vi } from 'vitest';
import { usePorts, variants } from './ports.js';

describe.each(variants)('rate limiter contract ($name)', (variant) => {
  const open = usePorts(variant);
  const login = { name: 'login', points: 3, durationSeconds: 60 };

  it('allows the policy points, then rejects with what is left and when it resets', async () => {
    const { rateLimiter } = await open();

    const decisions = [];
    for (let i = 0; i < 5; i++) decisions.push(await rateLimiter.consume(login, 'ip-1'));

    expect(decisions.map((d) => [d.allowed, d.remaining])).toEqual([
      [true, 2],
      [true, 1],
      [true, 0],
      [false, 0],
      [false, 0],
    ]);
    for (const decision of decisions) {
      expect(decision.limit).toBe(3);
      expect(decision.resetSeconds).toBeGreaterThanOrEqual(59);
      expect(decision.resetSeconds).toBeLessThanOrEqual(60);
    }
  });

  it('counts each key and each policy separately', async () => {
    const { rateLimiter } = await open();
    const strict = { name: 'strict', points: 1, durationSeconds: 60 };

    expect((await rateLimiter.consume(strict, 'a')).allowed).toBe(true);
    expect((await rateLimiter.consume(strict, 'a')).allowed).toBe(false);
    expect((await rateLimiter.consume(strict, 'b')).allowed).toBe(true);
    expect((await rateLimiter.consume(login, 'a')).remaining).toBe(2);
  });

  it('opens a new window once the old one ends', async () => {
    const { rateLimiter } = await open();
    const burst = { name: 'burst', points: 1, durationSeconds: 1 };

    expect((await rateLimiter.consume(burst, 'k')).allowed).toBe(true);
    const rejected = await rateLimiter.consume(burst, 'k');
    expect(rejected).toMatchObject({ allowed: false, resetSeconds: 1 });
    await vi.waitFor(async () => expect((await rateLimiter.consume(burst, 'k')).allowed).toBe(true), {
      timeout: 3_000,
      interval: 100,
    });
  });

  it('refuses a policy name reused with other limits', async () => {
    const { rateLimiter } = await open();
    await rateLimiter.consume(login, 'k');
    await expect(rateLimiter.consume({ ...login, points: 10 }, 'k')).rejects.toThrow(/already defined/);
  });

  it.runIf(variant.shared)('shares counts between instances', async () => {
    const [first, second] = await Promise.all([open(), open()]);

    await first.rateLimiter.consume(login, 'user-9');
    await second.rateLimiter.consume(login, 'user-9');
    expect(await first.rateLimiter.consume(login, 'user-9')).toMatchObject({ allowed: true, remaining: 0 });
    expect(await second.rateLimiter.consume(login, 'user-9')).toMatchObject({ allowed: false, remaining: 0 });
  });
});
