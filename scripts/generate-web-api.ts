// Regenerates web/src/api/schema.d.ts, the web app's types of the API, from the OpenAPI document
// of the server as built in this checkout (in-process, on a throwaway embedded database).
// test/web-api-client.test.ts fails when the checked-in file differs from what this produces.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';
import { loadConfig } from '../src/config.js';
import { createPlatform } from '../src/platform/index.js';
import { createLogger } from '../src/platform/log.js';
import { buildApp } from '../src/server.js';

export const SCHEMA_FILE = fileURLToPath(new URL('../web/src/api/schema.d.ts', import.meta.url));

/** The document as the server publishes it at /openapi.json; the test passes a migrated database to start from. */
export async function currentDocument(pgliteTemplate?: Blob): Promise<Record<string, unknown>> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'stampede-openapi-'));
  const config = loadConfig({ STAMPEDE_DATA_DIR: dataDir, JWT_SECRET: 'openapi-generation-secret-not-used-for-anything', LOG_LEVEL: 'silent' });
  const platform = await createPlatform(config, createLogger(config.logLevel), { pgliteTemplate });
  try {
    const { app } = await buildApp(platform, { webRoot: false });
    await app.ready();
    const document = app.swagger() as unknown as Record<string, unknown>;
    await app.close();
    return document;
  } finally {
    await platform.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function generateSchemaTypes(document: Record<string, unknown>): Promise<string> {
  // The version changes with every release and says nothing about the shapes; leaving it out keeps the file stable.
  const info = { ...(document.info as object), version: 'current' };
  return astToString(await openapiTS({ ...document, info } as Parameters<typeof openapiTS>[0]));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(SCHEMA_FILE, await generateSchemaTypes(await currentDocument()));
  console.log(`wrote ${path.relative(process.cwd(), SCHEMA_FILE)}`);
}
