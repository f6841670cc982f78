import { describe, expect, it, vi } from 'vitest';
import { metricValue, sleep, usePorts, variants } from './ports.js';

const waitLong = { timeout: 5_000, interval: 25 };

describe.each(variants)('job queue contract ($name)', (variant) => {
  const open = usePorts(variant);

  it('runs a job with its data and counts it completed', async () => {
    const { jobs } = await open();
    const runs: Array<{ data: unknown; id: string; attemptsMade: number }> = [];
    jobs.handle('welcome-email', async (data, job) => void runs.push({ data, ...job }));

    const id = await jobs.add('welcome-email', { userId: 7, at: new Date('2030-01-01T00:00:00Z') });

    await vi.waitFor(() => expect(runs).toEqual([{ data: { userId: 7, at: '2030-01-01T00:00:00.000Z' }, id, attemptsMade: 0 }]), waitLong);
    await vi.waitFor(async () => expect(await jobs.counts()).toMatchObject({ completed: 1, waiting: 0, active: 0 }), waitLong);
  });

  it('retries with exponential backoff, then succeeds', async () => {
    const { jobs } = await open();
    const tries: Array<{ attemptsMade: number; at: number }> = [];
    jobs.handle('flaky', async (_data, job) => {
      tries.push({ attemptsMade: job.attemptsMade, at: Date.now() });
      if (job.attemptsMade < 2) throw new Error(`try ${job.attemptsMade} failed`);
    });

    await jobs.add('flaky', {}, { attempts: 3, backoffMs: 150 });

    await vi.waitFor(async () => expect(await jobs.counts()).toMatchObject({ completed: 1, failed: 0 }), waitLong);
    expect(tries.map((t) => t.attemptsMade)).toEqual([0, 1, 2]);
    const [first, second, third] = tries.map((t) => t.at);
    expect(second! - first!).toBeGreaterThanOrEqual(140);
    expect(third! - second!).toBeGreaterThanOrEqual(290);
  });

  it('moves a job out of attempts to the failed set, and retryFailed runs it again', async () => {
    const { jobs, metrics } = await open();
    let healthy = false;
    let successes = 0;
    jobs.handle('charge', async () => {
      if (!healthy) throw new Error('payment provider down');
      successes++;
    });

    const id = await jobs.add('charge', { order: 1 }, { attempts: 2, backoffMs: 20 });

    await vi.waitFor(async () => expect((await jobs.counts()).failed).toBe(1), waitLong);
    expect(await jobs.failed()).toEqual([{ id, name: 'charge', data: { order: 1 }, attemptsMade: 2, failedReason: 'payment provider down' }]);
    await jobs.counts();
    expect(await metricValue(metrics.jobsFailed, { queue: 'jobs' })).toBe(1);

    healthy = true;
    expect(await jobs.retryFailed(id)).toBe(true);
    await vi.waitFor(async () => expect(await jobs.counts()).toMatchObject({ completed: 1, failed: 0 }), waitLong);
    expect(successes).toBe(1);
    expect(await jobs.failed()).toEqual([]);
    expect(await jobs.retryFailed(id)).toBe(false);
    expect(await jobs.retryFailed('no-such-job')).toBe(false);
  });

  it('gives a retried job a fresh set of attempts', async () => {
    const { jobs } = await open();
    const seen: number[] = [];
    jobs.handle('doomed', async (_data, job) => {
      seen.push(job.attemptsMade);
      throw new Error('still broken');
    });
    const id = await jobs.add('doomed', {}, { attempts: 2, backoffMs: 10 });
    await vi.waitFor(async () => expect((await jobs.counts()).failed).toBe(1), waitLong);

    await jobs.retryFailed(id);

    await vi.waitFor(() => expect(seen).toEqual([0, 1, 0, 1]), waitLong);
    await vi.waitFor(async () => expect((await jobs.counts()).failed).toBe(1), waitLong);
  });

  it('ignores a job whose id is already queued', async () => {
    const { jobs } = await open();
    const runs: unknown[] = [];
    jobs.handle('reminder', async (data) => void runs.push(data));

    const ids = await Promise.all([
      jobs.add('reminder', { n: 1 }, { jobId: 'reminder-e1', delayMs: 100 }),
      jobs.add('reminder', { n: 2 }, { jobId: 'reminder-e1', delayMs: 100 }),
    ]);
    await vi.waitFor(async () => expect((await jobs.counts()).completed).toBe(1), waitLong);
    expect(await jobs.add('reminder', { n: 3 }, { jobId: 'reminder-e1' })).toBe('reminder-e1');

    expect(ids).toEqual(['reminder-e1', 'reminder-e1']);
    await sleep(100);
    expect(runs).toEqual([{ n: 1 }]);
  });

  it('rejects job ids that BullMQ cannot store', async () => {
    const { jobs } = await open();
    await expect(jobs.add('x', {}, { jobId: '42' })).rejects.toThrow();
    await expect(jobs.add('x', {}, { jobId: 'event:42' })).rejects.toThrow();
  });

  it('holds a delayed job until its delay has passed', async () => {
    const { jobs } = await open();
    let ranAt = 0;
    jobs.handle('later', async () => void (ranAt = Date.now()));

    const addedAt = Date.now();
    await jobs.add('later', {}, { delayMs: 400 });
    expect(await jobs.counts()).toMatchObject({ delayed: 1, waiting: 0 });

    await vi.waitFor(() => expect(ranAt).toBeGreaterThan(0), waitLong);
    expect(ranAt - addedAt).toBeGreaterThanOrEqual(390);
  });

  it('waits for the running job on close', async () => {
    const { jobs } = await open();
    let started = false;
    let finished = false;
    jobs.handle('slow', async () => {
      started = true;
      await sleep(300);
      finished = true;
    });
    await jobs.add('slow', {});
    await vi.waitFor(() => expect(started).toBe(true), waitLong);

    await jobs.close();

    expect(finished).toBe(true);
  });

  it.runIf(variant.shared)('runs each job once across instances', async () => {
    const [first, second] = await Promise.all([open(), open()]);
    const runs: string[] = [];
    first.jobs.handle('tick', async (data) => void runs.push(`first:${String(data)}`));
    second.jobs.handle('tick', async (data) => void runs.push(`second:${String(data)}`));

    await Promise.all(Array.from({ length: 20 }, (_, i) => first.jobs.add('tick', i)));

    await vi.waitFor(() => expect(runs).toHaveLength(20), waitLong);
    await sleep(100);
    expect(runs.map((run) => Number(run.split(':')[1])).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });
});
