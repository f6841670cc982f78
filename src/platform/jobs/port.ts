// Job queue port: BullMQ on Redis, an in-process queue otherwise. Jobs retry with exponential
// backoff; a job out of attempts lands in the failed (dead-letter) set, where it can be
// inspected and retried.
export interface JobOptions {
  /**
   * Deduplicates: adding a job whose id already exists is a no-op. BullMQ rejects ids that are
   * integers or contain ':', and the memory adapter enforces the same so both behave alike.
   */
  jobId?: string;
  /** Total tries, including the first. Default 3. */
  attempts?: number;
  /** First retry delay; doubles each retry. Default 1000. */
  backoffMs?: number;
  /** Run no earlier than this many ms from now. */
  delayMs?: number;
}

export interface JobRecord {
  id: string;
  name: string;
  data: unknown;
  attemptsMade: number;
  failedReason?: string;
}

/** `attemptsMade` counts the failed tries before this one: 0 on the first run. */
export type JobHandler = (data: unknown, job: { id: string; attemptsMade: number }) => Promise<void>;

export interface JobCounts {
  waiting: number;
  delayed: number;
  active: number;
  failed: number;
  completed: number;
}

/**
 * Thrown by a handler when trying again cannot help (a refused request, a missing template):
 * the job goes straight to the failed set instead of spending its remaining attempts.
 */
export class PermanentJobError extends Error {
  readonly permanent = true;
}

export interface JobQueue {
  /** Registers the handler for a job name. Register handlers before adding jobs. */
  handle(name: string, handler: JobHandler): void;
  add(name: string, data: unknown, options?: JobOptions): Promise<string>;
  counts(): Promise<JobCounts>;
  /** Newest first; at most `limit` (default 100). */
  failed(limit?: number): Promise<JobRecord[]>;
  /**
   * Moves a failed job back to waiting with a fresh set of attempts. Returns false when no
   * failed job has that id.
   */
  retryFailed(id: string): Promise<boolean>;
  /** Stops taking jobs and waits for active ones to finish. */
  close(): Promise<void>;
}
