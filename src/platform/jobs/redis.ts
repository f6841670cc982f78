// Job queue on BullMQ: one queue for every job name, one worker that dispatches by name.
// Jobs survive restarts and are shared by every instance; each job runs on one of them.
import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Metrics } from '../metrics.js';
import { JOB_DEFAULTS } from './memory.js';
import { PermanentJobError, type JobCounts, type JobHandler, type JobOptions, type JobQueue, type JobRecord } from './port.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref());

const METRICS_REFRESH_MS = 5_000;
/** How long close() lets a starting worker finish connecting; see close(). */
const WORKER_START_WAIT_MS = 2_000;
/** How long close() waits for the worker; see close(). */
const WORKER_CLOSE_WAIT_MS = 5_000;

export interface RedisJobQueueOptions {
  /**
   * The shared client. The queue uses it as is (so adding fails fast while Redis is down);
   * the worker opens its own connections from its options, as blocking commands need.
   */
  client: Redis;
  keyPrefix: string;
  metrics: Metrics;
  log: Logger;
  concurrency?: number;
  /** Default `jobs`; a feature with its own concurrency gets its own queue. */
  queueName?: string;
}

export class RedisJobQueue implements JobQueue {
  private opening: Promise<Queue> | undefined;
  private worker: Worker | undefined;
  private readonly handlers = new Map<string, JobHandler>();
  private readonly prefix: string;
  private readonly metricsTimer: NodeJS.Timeout;
  private readonly queueName: string;

  constructor(private readonly options: RedisJobQueueOptions) {
    // BullMQ joins prefix and queue name with ':'; keys become "<prefix>bull:jobs:...".
    this.prefix = `${options.keyPrefix}bull`;
    this.queueName = options.queueName ?? JOB_DEFAULTS.queueName;
    // The gauges are read by /metrics; polling keeps Redis round trips off the job path.
    this.metricsTimer = setInterval(() => {
      if (this.opening) void this.counts().catch(() => undefined);
    }, METRICS_REFRESH_MS);
    this.metricsTimer.unref();
  }

  /**
   * Opened on first use, so an instance that never touches jobs never starts BullMQ. A Queue
   * whose start-up ran while Redis was down stays broken for good, so a failed one is dropped
   * and the next call opens a new one.
   */
  private async queue(): Promise<Queue> {
    // Opening waits for 'ready' with no time limit, so while Redis is away we refuse at once.
    // The message matches isConnectionError, as the client's own errors do.
    if (!this.opening && this.options.client.status !== 'ready') throw new Error('Connection is closed: redis is reconnecting');
    this.opening ??= (async () => {
      const queue = new Queue(this.queueName, {
        connection: this.options.client,
        prefix: this.prefix,
        defaultJobOptions: {
          removeOnComplete: { count: JOB_DEFAULTS.keepCompleted },
          removeOnFail: { count: JOB_DEFAULTS.keepFailed },
        },
      });
      queue.on('error', (error) => this.options.log.debug({ err: error }, 'job queue error'));
      try {
        await queue.waitUntilReady();
        return queue;
      } catch (error) {
        this.opening = undefined;
        await queue.close().catch(() => undefined);
        throw error;
      }
    })();
    return this.opening;
  }

  handle(name: string, handler: JobHandler): void {
    this.handlers.set(name, handler);
    // Started on the first handler: the worker connects asynchronously, so every handler the
    // caller registers synchronously is in place before the first job is fetched.
    this.worker ??= this.startWorker();
  }

  private startWorker(): Worker {
    const worker = new Worker(this.queueName, (job: Job) => this.process(job), {
      // Blocking commands wait for jobs and must wait out reconnects, so the fail-fast
      // settings of the shared options do not apply here (BullMQ requires this). ioredis types
      // retryStrategy as possibly null (never reconnect), which BullMQ's own options type refuses.
      connection: {
        ...this.options.client.options,
        retryStrategy: this.options.client.options.retryStrategy ?? undefined,
        maxRetriesPerRequest: null,
        enableOfflineQueue: true,
        commandTimeout: undefined,
      },
      prefix: this.prefix,
      concurrency: this.options.concurrency ?? JOB_DEFAULTS.concurrency,
    });
    worker.on('error', (error) => this.options.log.debug({ err: error }, 'job worker error'));
    return worker;
  }

  private async process(job: Job): Promise<void> {
    const handler = this.handlers.get(job.name);
    if (!handler) throw new Error(`no handler for job ${job.name}`);
    try {
      await handler(job.data, { id: job.id!, attemptsMade: job.attemptsMade });
    } catch (error) {
      // BullMQ's own marker for "no more attempts".
      if (error instanceof PermanentJobError) throw new UnrecoverableError(error.message);
      throw error;
    }
  }

  async add(name: string, data: unknown, options: JobOptions = {}): Promise<string> {
    const job = await (
      await this.queue()
    ).add(name, data, {
      jobId: options.jobId,
      attempts: options.attempts ?? JOB_DEFAULTS.attempts,
      backoff: { type: 'exponential', delay: options.backoffMs ?? JOB_DEFAULTS.backoffMs },
      delay: options.delayMs,
    });
    return job.id!;
  }

  async counts(): Promise<JobCounts> {
    const counts = await (await this.queue()).getJobCounts('waiting', 'delayed', 'active', 'failed', 'completed');
    const result: JobCounts = {
      waiting: counts.waiting ?? 0,
      delayed: counts.delayed ?? 0,
      active: counts.active ?? 0,
      failed: counts.failed ?? 0,
      completed: counts.completed ?? 0,
    };
    this.options.metrics.jobQueueDepth.set({ queue: this.queueName }, result.waiting + result.delayed);
    this.options.metrics.jobsFailed.set({ queue: this.queueName }, result.failed);
    return result;
  }

  async failed(limit = JOB_DEFAULTS.failedPage): Promise<JobRecord[]> {
    const jobs = await (await this.queue()).getFailed(0, limit - 1);
    return jobs.map((job) => ({
      id: job.id!,
      name: job.name,
      data: job.data,
      attemptsMade: job.attemptsMade,
      failedReason: job.failedReason,
    }));
  }

  async retryFailed(id: string): Promise<boolean> {
    const job = await (await this.queue()).getJob(id);
    if (!job || !(await job.isFailed())) return false;
    await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
    return true;
  }

  async close(): Promise<void> {
    clearInterval(this.metricsTimer);
    if (this.worker) {
      // BullMQ's connection emits an unhandled 'error' when closed while still starting up.
      await Promise.race([this.worker.waitUntilReady().catch(() => undefined), sleep(WORKER_START_WAIT_MS)]);
      // A worker whose blocking connection is stuck reconnecting (Redis restarted under it) can
      // wait forever in close() (taskforcesh/bullmq#4656). Shutdown must end: past the wait, the
      // connections are dropped, and a job still running is retried as stalled elsewhere.
      const closed = this.worker.close().then(() => true);
      if (!(await Promise.race([closed, sleep(WORKER_CLOSE_WAIT_MS).then(() => false)]))) {
        this.options.log.warn({ waitedMs: WORKER_CLOSE_WAIT_MS }, 'job worker did not close in time; disconnecting it');
        await Promise.race([this.worker.disconnect().catch(() => undefined), sleep(WORKER_START_WAIT_MS)]);
      }
    }
    const queue = await this.opening?.catch(() => undefined);
    await queue?.close();
  }
}
