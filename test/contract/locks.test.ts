import { describe, expect, it } from 'vitest';
import { LockTimeoutError } from '../../src/platform/locks/port.js';
import { sleep, usePorts, variants } from './ports.js';

/** A read-modify-write that loses updates unless the lock keeps holders apart. */
function guardedCounter() {
  let value = 0;
  let inside = 0;
  let maxInside = 0;
  return {
    get value() {
      return value;
    },
    get maxInside() {
      return maxInside;
    },
    async increment() {
      inside++;
      maxInside = Math.max(maxInside, inside);
      const read = value;
      await sleep(2);
      value = read + 1;
      inside--;
    },
  };
}

describe.each(variants)('locks contract ($name)', (variant) => {
  const open = usePorts(variant);

  it('lets one holder at a time run, however many contend', async () => {
    const { locks } = await open();
    const counter = guardedCounter();

    await Promise.all(Array.from({ length: 25 }, () => locks.withLock('counter', () => counter.increment())));

    expect(counter.value).toBe(25);
    expect(counter.maxInside).toBe(1);
  });

  it('does not make different keys wait for each other', async () => {
    const { locks } = await open();
    let release!: () => void;
    const holding = locks.withLock('a', () => new Promise<void>((resolve) => (release = resolve)));

    await expect(locks.withLock('b', async () => 'b ran', { acquireTimeoutMs: 500 })).resolves.toBe('b ran');
    release();
    await holding;
  });

  it('returns the result and releases after an error', async () => {
    const { locks } = await open();

    expect(await locks.withLock('k', async () => 42)).toBe(42);
    await expect(
      locks.withLock('k', async () => {
        throw new Error('work failed');
      }),
    ).rejects.toThrow('work failed');
    expect(await locks.withLock('k', async () => 'free again', { acquireTimeoutMs: 200 })).toBe('free again');
  });

  it('gives up with LockTimeoutError after the acquire timeout', async () => {
    const { locks } = await open();
    let release!: () => void;
    const holding = locks.withLock('busy', () => new Promise<void>((resolve) => (release = resolve)));
    await sleep(20);

    const started = Date.now();
    const error = await locks.withLock('busy', async () => 'never', { acquireTimeoutMs: 150 }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(LockTimeoutError);
    expect((error as LockTimeoutError).key).toBe('busy');
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    release();
    await holding;
    expect(await locks.withLock('busy', async () => 'after')).toBe('after');
  });

  it.runIf(variant.shared)('excludes holders on different instances, beyond one lease', async () => {
    const [first, second] = await Promise.all([open(), open()]);
    const counter = guardedCounter();
    let longHolderDone = false;
    // Held for three leases: refreshing must keep the other instance out.
    const long = first.locks.withLock(
      'shared',
      async () => {
        await sleep(900);
        longHolderDone = true;
      },
      { leaseMs: 300 },
    );
    await sleep(50);
    const waiter = second.locks.withLock('shared', async () => longHolderDone, { acquireTimeoutMs: 3_000 });
    expect(await waiter).toBe(true);
    await long;

    await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? first : second).locks.withLock('shared', () => counter.increment())));
    expect(counter.value).toBe(20);
    expect(counter.maxInside).toBe(1);
  });

  it.runIf(variant.name === 'redis')('takes over a lease left behind by a crashed holder', async () => {
    const { locks, redis, keyPrefix } = await open();
    // A holder that died without releasing: its key stays until the lease runs out.
    await redis!.set(`${keyPrefix}mutex:job-runner`, 'dead-holder', 'PX', 400);

    const started = Date.now();
    expect(await locks.withLock('job-runner', async () => 'took over', { acquireTimeoutMs: 3_000 })).toBe('took over');
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  });
});
