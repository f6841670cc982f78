// The published document is what client generators consume: it must be valid OpenAPI 3.1 by a
// validator we did not write, and every operation must carry the stable id and tag from the
// catalogue.
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATIONS, operationKey } from '../../src/http/operations.js';
import { startTestApp, type TestApp } from '../harness/app.js';

interface Operation {
  operationId?: string;
  tags?: string[];
  responses: Record<string, unknown>;
}
type Document = { openapi: string; paths: Record<string, Record<string, Operation>> };

describe('OpenAPI document', () => {
  let app: TestApp;
  let document: Document;
  const operations: Array<{ key: string; operation: Operation }> = [];

  beforeAll(async () => {
    app = await startTestApp();
    document = (await (await app.request('GET', '/openapi.json')).json()) as Document;
    for (const [path, methods] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        operations.push({ key: operationKey(method, path.replace(/\{(\w+)\}/g, ':$1')), operation });
      }
    }
  });
  afterAll(() => app?.stop());

  it('is valid OpenAPI 3.1 for @seriousme/openapi-schema-validator', async () => {
    expect(document.openapi).toBe('3.1.0');
    const result = await new Validator().validate(structuredClone(document));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('gives every operation its catalogued operationId and tag', () => {
    const mismatched = operations
      .filter(({ key, operation }) => operation.operationId !== OPERATIONS[key]?.operationId || operation.tags?.join() !== OPERATIONS[key]?.tag)
      .map(({ key }) => key);
    expect(mismatched, 'routes missing from src/http/operations.ts').toEqual([]);
  });

  it('has no catalogue entry without a route, and no operationId twice', () => {
    const documented = new Set(operations.map(({ key }) => key));
    expect(
      Object.keys(OPERATIONS).filter((key) => !documented.has(key)),
      'stale entries in src/http/operations.ts',
    ).toEqual([]);
    const ids = Object.values(OPERATIONS).map(({ operationId }) => operationId);
    expect(ids.filter((id, index) => ids.indexOf(id) !== index)).toEqual([]);
  });

  it('documents no response as an untyped value', () => {
    const untyped = operations.filter(({ operation }) => hasEmptySchema(operation.responses)).map(({ key }) => key);
    expect(untyped).toEqual([]);
  });
});

/** An empty schema `{}` accepts anything; an empty `properties` map is just an object with no fixed keys. */
function hasEmptySchema(node: unknown, key = ''): boolean {
  if (typeof node !== 'object' || node === null) return false;
  const entries = Object.entries(node);
  if (entries.length === 0) return key !== 'properties';
  return entries.some(([childKey, child]) => hasEmptySchema(child, childKey));
}
