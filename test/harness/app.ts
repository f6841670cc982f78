// Starts a whole Stampede server for a test: on PGlite (default) or a fresh database on the
// harness's PostgreSQL, with or without the harness's Redis, on a free port.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/platform/log.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { createDatabase } from './processes.js';
import { checkResponses } from './response-contract.js';
import { migratedPglite, POSTGRES_TEMPLATE } from './templates.js';

export interface TestAppOptions {
  store?: 'pglite' | 'postgres';
  redis?: boolean;
  /** Reuse a database (e.g. for two instances sharing one). */
  databaseUrl?: string;
  redisUrl?: string;
  redisKeyPrefix?: string;
  env?: Record<string, string>;
  /** The web app build to serve (ServerOptions.webRoot): web/dist when built, by default. */
  webRoot?: string | false;
  /** Sees every SQL statement the server sends. */
  logQuery?: (statement: string) => void;
  /** The server clock trivia uses (epoch ms). */
  clock?: () => number;
}

/** Tests read whatever JSON the server sent and assert on its shape. */
export type TestResponse = Omit<Response, 'json'> & { json(): Promise<any> };

export interface TestApp extends RunningServer {
  /** fetch against this server; JSON bodies are encoded for you. */
  request(method: string, url: string, options?: { body?: unknown; token?: string; headers?: Record<string, string> }): Promise<TestResponse>;
  stop(): Promise<void>;
}

export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-for-hs256-signing';

export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'stampede-app-'));
  // A fresh database starts as a copy of a migrated one (templates.ts); start-up still runs the
  // migrations, and finds them applied.
  const databaseUrl =
    options.databaseUrl ?? (options.store === 'postgres' ? await createDatabase(inject('postgresUrl'), POSTGRES_TEMPLATE) : undefined);
  const redisUrl = options.redisUrl ?? (options.redis ? inject('redisUrl') : undefined);
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    STAMPEDE_DATA_DIR: dataDir,
    JWT_SECRET: TEST_JWT_SECRET,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: options.redisKeyPrefix ?? `test:${randomUUID()}:`,
    // Every test signs up from 127.0.0.1; the real policies are exercised in the rate-limit tests.
    RATE_LIMIT_AUTH: '100000/1m',
    RATE_LIMIT_API_IP: '100000/1m',
    RATE_LIMIT_API_USER: '100000/1m',
    RATE_LIMIT_ADMIN: '100000/1m',
    // Test files start servers side by side on 2 cores; startup stalls would shed their first
    // requests. Load shedding has its own test, which turns it back on.
    MAX_EVENT_LOOP_DELAY_MS: '0',
    // Tests sign up hundreds of accounts; the production cost (2^17) has its own test.
    PASSWORD_HASH_COST: '14',
    ...options.env,
  });
  const server = await startServer(config, createLogger(config.logLevel), {
    instrument: checkResponses,
    webRoot: options.webRoot,
    logQuery: options.logQuery,
    clock: options.clock,
    pgliteTemplate: migratedPglite(inject('pgliteTemplateFile')),
  });
  return {
    ...server,
    request: (method, url, { body, token, headers = {} } = {}) =>
      fetch(`${server.url}${url}`, {
        method,
        headers: {
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...headers,
        },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      }),
    stop: async () => {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

let userCounter = 0;

/** Signs up a fresh player and returns its token and id. */
export async function signUp(app: TestApp, overrides: { handle?: string; email?: string } = {}) {
  const n = `${Date.now().toString(36)}${userCounter++}`;
  const response = await app.request('POST', '/api/auth/signup', {
    body: { handle: overrides.handle ?? `p${n}`, email: overrides.email ?? `p${n}@example.com`, password: 'password123' },
  });
  if (response.status !== 201) throw new Error(`signup failed: ${response.status} ${await response.text()}`);
  const { user, token } = (await response.json()) as { user: { id: string; role: string }; token: string };
  return { user, token };
}
