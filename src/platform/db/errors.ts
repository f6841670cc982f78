// Reads the SQLSTATE and constraint out of errors from pg, PGlite and Drizzle's wrappers alike.
import { causeChain } from '../causes.js';
export interface PgErrorInfo {
  code: string;
  constraint?: string;
}

export function pgErrorInfo(error: unknown): PgErrorInfo | undefined {
  for (const current of causeChain(error)) {
    const { code, constraint } = current as { code?: unknown; constraint?: unknown };
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) {
      return { code, ...(typeof constraint === 'string' ? { constraint } : {}) };
    }
  }
  return undefined;
}

export const UNIQUE_VIOLATION = '23505';
export const CHECK_VIOLATION = '23514';
