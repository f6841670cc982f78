import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { BrokenCircuitError } from '../platform/breakers.js';
import { toAppError } from './problem.js';

const retryAfter = () => 4_200;

describe('toAppError', () => {
  it('keeps catalogue errors as they are', () => {
    const error = new AppError('EMAIL_TAKEN');
    expect(toAppError(error, retryAfter)).toBe(error);
  });

  it('turns an open breaker into 503 with Retry-After rounded up to seconds', () => {
    const mapped = toAppError(new Error('wrapped', { cause: new BrokenCircuitError() }), retryAfter);
    expect(mapped.code).toBe('DATABASE_UNAVAILABLE');
    expect(mapped.status).toBe(503);
    expect(mapped.headers['retry-after']).toBe('5');
  });

  it('turns a refused connection into 503, not 500', () => {
    expect(toAppError(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }), retryAfter).code).toBe('DATABASE_UNAVAILABLE');
  });

  it('turns a data exception (a value PostgreSQL cannot store) into 400, not 500', () => {
    const nul = Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: '22021' });
    expect(toAppError(new Error('Failed query', { cause: nul }), retryAfter)).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect(toAppError(Object.assign(new Error('duplicate key'), { code: '23505' }), retryAfter).code).toBe('INTERNAL');
  });

  it('names the fields of validation errors', () => {
    const mapped = toAppError(
      Object.assign(new Error('bad'), {
        validationContext: 'body',
        validation: [
          { keyword: 'required', instancePath: '', params: { missingProperty: 'email' }, message: "must have required property 'email'" },
          { keyword: 'type', instancePath: '/items/0/key', params: {}, message: 'must be string' },
        ],
      }),
      retryAfter,
    );
    expect(mapped.code).toBe('VALIDATION_FAILED');
    expect(mapped.toProblem().errors).toEqual([
      { field: 'body.email', message: "must have required property 'email'" },
      { field: 'body.items.0.key', message: 'must be string' },
    ]);
  });

  it('maps parser errors by code and hides anything unexpected behind INTERNAL', () => {
    expect(toAppError(Object.assign(new Error('too big'), { code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 }), retryAfter).code).toBe(
      'PAYLOAD_TOO_LARGE',
    );
    expect(toAppError(Object.assign(new Error('bad json'), { statusCode: 400 }), retryAfter).code).toBe('MALFORMED_BODY');
    const internal = toAppError(new TypeError('x is undefined'), retryAfter);
    expect(internal.code).toBe('INTERNAL');
    expect(internal.toProblem().detail).toBeUndefined();
  });
});
