// Transactions that retry on serialization failure or deadlock, the two errors PostgreSQL
// raises precisely so that the client can try again.
import type { Db, Tx } from './client.js';

const RETRYABLE_SQLSTATES = new Set(['40001', '40P01']);

export function isRetryableTransactionError(error: unknown): boolean {
  for (let current = error, depth = 0; current && typeof current === 'object' && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && RETRYABLE_SQLSTATES.has(code)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
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
