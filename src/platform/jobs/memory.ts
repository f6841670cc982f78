// In-process job queue with BullMQ's semantics (id dedupe, attempts, exponential backoff,
// delays, a bounded failed set), so features behave alike on either adapter. Jobs live only
// as long as the process: without Redis, a restart drops what is queued.
import type { Metrics } from '../metrics.js';
import { PermanentJobError, type JobCounts, type JobHandler, type JobOptions, type JobQueue, type JobRecord } from './port.js';

export const JOB_DEFAULTS = {
  queueName: 'jobs',
  attempts: 3,
  backoffMs: 1_000,
  concurrency: 5,
  keepCompleted: 1_000,
  keepFailed: 10_000,
  failedPage: 100,
};

type JobState = keyof JobCounts;

interface MemoryJob extends JobRecord {
  attempts: number;
  backoffMs: number;
  state?: JobState;
  timer?: NodeJS.Timeout;
}

/** BullMQ's rules for custom ids, enforced here so an id that works on memory works on Redis. */
function checkJobId(id: string): void {
  if (`${parseInt(id, 10)}` === id) throw new Error(`job id ${id} must not be an integer`);
  if (id.includes(':')) throw new Error(`job id ${id} must not contain ':'`);
}

export class MemoryJobQueue implements JobQueue {
  private readonly handlers = new Map<string, JobHandler>();
  private readonly jobs = new Map<string, MemoryJob>();
  private readonly waiting: MemoryJob[] = [];
  private readonly running = new Set<Promise<void>>();
  /** Insertion-ordered, so the oldest finished jobs are trimmed first. */
  private readonly finished = { completed: new Set<string>(), failed: new Set<string>() };
  private readonly tally: JobCounts = { waiting: 0, delayed: 0, active: 0, failed: 0, completed: 0 };
  private nextId = 1;
  private started = false;
  private closing = false;

  constructor(
    private readonly metrics: Metrics,
    private readonly concurrency = JOB_DEFAULTS.concurrency,
    private readonly queueName = JOB_DEFAULTS.queueName,
  ) {
    // Export zeros from the start, so dashboards see the series before the first job.
    this.publishGauges();
  }

  handle(name: string, handler: JobHandler): void {
    this.handlers.set(name, handler);
    // Like the BullMQ worker, start on the first handler, after the caller's synchronous
    // registrations, so queued jobs do not run before their handlers exist.
    if (!this.started) {
      this.started = true;
      setImmediate(() => this.pump());
    }
  }

  async add(name: string, data: unknown, options: JobOptions = {}): Promise<string> {
    if (options.jobId !== undefined) {
      checkJobId(options.jobId);
      if (this.jobs.has(options.jobId)) return options.jobId;
    }
    const job: MemoryJob = {
      id: options.jobId ?? String(this.nextId++),
      name,
      // Stored as JSON, as BullMQ does: the handler gets a copy with the same shape on both.
      data: data === undefined ? {} : JSON.parse(JSON.stringify(data)),
      attemptsMade: 0,
      attempts: options.attempts ?? JOB_DEFAULTS.attempts,
      backoffMs: options.backoffMs ?? JOB_DEFAULTS.backoffMs,
    };
    this.jobs.set(job.id, job);
    if (options.delayMs && options.delayMs > 0) this.delay(job, options.delayMs);
    else this.enqueue(job);
    return job.id;
  }

  async counts(): Promise<JobCounts> {
    return { ...this.tally };
  }

  async failed(limit = JOB_DEFAULTS.failedPage): Promise<JobRecord[]> {
    return [...this.finished.failed]
      .reverse()
      .slice(0, limit)
      .map((id) => {
        const { name, data, attemptsMade, failedReason } = this.jobs.get(id)!;
        return { id, name, data, attemptsMade, failedReason };
      });
  }

  async retryFailed(id: string): Promise<boolean> {
    const job = this.jobs.get(id);
    if (job?.state !== 'failed') return false;
    this.finished.failed.delete(id);
    job.attemptsMade = 0;
    job.failedReason = undefined;
    this.enqueue(job);
    return true;
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const job of this.jobs.values()) clearTimeout(job.timer);
    await Promise.all(this.running);
  }

  private move(job: MemoryJob, to: JobState): void {
    if (job.state) this.tally[job.state]--;
    job.state = to;
    this.tally[to]++;
    this.publishGauges();
  }

  private publishGauges(): void {
    this.metrics.jobQueueDepth.set({ queue: this.queueName }, this.tally.waiting + this.tally.delayed);
    this.metrics.jobsFailed.set({ queue: this.queueName }, this.tally.failed);
  }

  private enqueue(job: MemoryJob): void {
    this.move(job, 'waiting');
    this.waiting.push(job);
    this.pump();
  }

  private delay(job: MemoryJob, ms: number): void {
    this.move(job, 'delayed');
    if (this.closing) return;
    job.timer = setTimeout(() => {
      job.timer = undefined;
      this.enqueue(job);
    }, ms);
    // A pending retry must not keep a finished process alive; it is lost with the process anyway.
    job.timer.unref();
  }

  private pump(): void {
    while (this.started && !this.closing && this.running.size < this.concurrency && this.waiting.length > 0) {
      const run: Promise<void> = this.run(this.waiting.shift()!).finally(() => {
        this.running.delete(run);
        this.pump();
      });
      this.running.add(run);
    }
  }

  private async run(job: MemoryJob): Promise<void> {
    this.move(job, 'active');
    try {
      const handler = this.handlers.get(job.name);
      if (!handler) throw new Error(`no handler for job ${job.name}`);
      await handler(job.data, { id: job.id, attemptsMade: job.attemptsMade });
      this.finish(job, 'completed', JOB_DEFAULTS.keepCompleted);
    } catch (error) {
      job.attemptsMade++;
      if (job.attemptsMade < job.attempts && !(error instanceof PermanentJobError)) {
        this.delay(job, job.backoffMs * 2 ** (job.attemptsMade - 1));
      } else {
        job.failedReason = error instanceof Error ? error.message : String(error);
        this.finish(job, 'failed', JOB_DEFAULTS.keepFailed);
      }
    }
  }

  private finish(job: MemoryJob, state: 'completed' | 'failed', keep: number): void {
    this.move(job, state);
    const ids = this.finished[state];
    ids.add(job.id);
    if (ids.size <= keep) return;
    const oldest = ids.values().next().value!;
    ids.delete(oldest);
    this.jobs.delete(oldest);
    this.tally[state]--;
  }
}
