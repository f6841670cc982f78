// The web app's API types are generated from /openapi.json (npm run web:api); a route or schema
// change that is not regenerated fails here, not in a browser.
import { readFileSync } from 'node:fs';
import { describe, expect, inject, it } from 'vitest';
import { SCHEMA_FILE, currentDocument, generateSchemaTypes } from '../scripts/generate-web-api.js';
import { migratedPglite } from './harness/templates.js';

describe('web API client', () => {
  it('is generated from the current OpenAPI document (run `npm run web:api` when this fails)', async () => {
    const expected = await generateSchemaTypes(await currentDocument(migratedPglite(inject('pgliteTemplateFile'))));
    expect(readFileSync(SCHEMA_FILE, 'utf8') === expected, 'web/src/api/schema.d.ts is stale: run npm run web:api').toBe(true);
  });
});
