import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../platform/canonical-json.js';
import { hashRequest } from './idempotency.js';

describe('request identity for Idempotency-Key', () => {
  it('ignores key order at every depth', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"y":2,"z":1}]},"b":1}');
    expect(hashRequest('POST', '/x', { a: 1, b: 2 })).toBe(hashRequest('POST', '/x', { b: 2, a: 1 }));
  });

  it('tells apart method, path, query, body and array order', () => {
    const base = hashRequest('POST', '/api/x?a=1', { list: [1, 2] });
    expect(hashRequest('PUT', '/api/x?a=1', { list: [1, 2] })).not.toBe(base);
    expect(hashRequest('POST', '/api/y?a=1', { list: [1, 2] })).not.toBe(base);
    expect(hashRequest('POST', '/api/x?a=2', { list: [1, 2] })).not.toBe(base);
    expect(hashRequest('POST', '/api/x?a=1', { list: [2, 1] })).not.toBe(base);
    expect(hashRequest('POST', '/api/x?a=1', { list: ['1', 2] })).not.toBe(base);
  });

  it('treats a missing body as null', () => {
    expect(hashRequest('POST', '/x', undefined)).toBe(hashRequest('POST', '/x', null));
    expect(hashRequest('POST', '/x', undefined)).not.toBe(hashRequest('POST', '/x', {}));
  });
});
