// Reads the SQLSTATE and constraint out of errors from pg, PGlite and Drizzle's wrappers alike.
export interface PgErrorInfo {
  code: string;
  constraint?: string;
}

export function pgErrorInfo(error: unknown): PgErrorInfo | undefined {
  for (let current = error, depth = 0; current && typeof current === 'object' && depth < 5; depth++) {
    const { code, constraint } = current as { code?: unknown; constraint?: unknown };
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) {
      return { code, ...(typeof constraint === 'string' ? { constraint } : {}) };
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

export const UNIQUE_VIOLATION = '23505';
export const CHECK_VIOLATION = '23514';
