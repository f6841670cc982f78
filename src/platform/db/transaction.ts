// Transactions that retry on serialization failure or deadlock, the two errors PostgreSQL
// raises precisely so that the client can try again.
import type { Db, Tx } from './client.js';
import { pgErrorInfo } from './errors.js';

const RETRYABLE_SQLSTATES = new Set(['40001', '40P01']);

export function isRetryableTransactionError(error: unknown): boolean {
  return RETRYABLE_SQLSTATES.has(pgErrorInfo(error)?.code ?? '');
}

export interface RetryOptions {
  retries?: number;
  baseDelayMs?: number;
  isolationLevel?: 'read committed' | 'repeatable read' | 'serializable';
}

/** Full-jitter exponential backoff: spreads retries so colliding transactions do not collide again. */
export function backoffDelay(attempt: number, baseDelayMs: number): number {
  return Math.random() * baseDelayMs * 2 ** attempt;
}

export async function withTransaction<T>(db: Db, work: (tx: Tx) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const { retries = 3, baseDelayMs = 10, isolationLevel } = options;
  for (let attempt = 0; ; attempt++) {
    try {
      return await db.transaction(work, isolationLevel ? { isolationLevel } : undefined);
    } catch (error) {
      if (attempt >= retries || !isRetryableTransactionError(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, backoffDelay(attempt, baseDelayMs)));
    }
  }
}
