// Checks every request's parsed input: no string may hold a NUL character (PostgreSQL rejects
// it, and one such value would fail its whole batch's transaction), JSON may nest at most
// MAX_JSON_DEPTH levels (deeper input overflows recursive code downstream), and no number may
// be infinite (`1e309` parses, and coerces from a query string, to Infinity, which passes a
// schema's "integer" and fails in SQL). The walk is iterative, so the check cannot overflow.
import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors.js';

export const MAX_JSON_DEPTH = 32;

type Finding = { field: string; message: string };

/** The first offending value in `input`, named by its path as validation errors name fields. */
export function findUnsafeInput(part: string, input: unknown): Finding | undefined {
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value: input, path: part, depth: 0 }];
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop()!;
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) return { field: path, message: 'must be a finite number' };
      continue;
    }
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return { field: path, message: 'must not contain the NUL character' };
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_JSON_DEPTH) return { field: path, message: `nests deeper than ${MAX_JSON_DEPTH} levels` };
    for (const [key, child] of Object.entries(value)) {
      if (key.includes('\u0000')) return { field: path, message: 'must not have a key with the NUL character' };
      stack.push({ value: child, path: `${path}.${key}`, depth: depth + 1 });
    }
  }
  return undefined;
}

const refusal = (finding: Finding) => new AppError('VALIDATION_FAILED', `${finding.field} ${finding.message}`, { errors: [finding] });

export function registerInputGuard(app: FastifyInstance): void {
  app.addHook('preValidation', (request, _reply, done) => {
    const finding =
      findUnsafeInput('params', request.params) ?? findUnsafeInput('querystring', request.query) ?? findUnsafeInput('body', request.body);
    done(finding ? refusal(finding) : undefined);
  });
  // Params and query strings become numbers only in validation: look at them again after it.
  app.addHook('preHandler', (request, _reply, done) => {
    const finding = findUnsafeInput('params', request.params) ?? findUnsafeInput('querystring', request.query);
    done(finding ? refusal(finding) : undefined);
  });
}
