// Requests for every operation in /openapi.json, generated from its schemas: valid ones and ones
// with a single field broken (wrong type, out of range, missing, oversized, NUL, deep nesting),
// anonymous and with a player's or the admin's token, against a real server. Whatever the input,
// the server must answer, never with a 5xx, and stay healthy. Responses are also checked against
// the document by the harness. Rerun a failure with FUZZ_SEED=<seed printed>.
import fc, { type Arbitrary } from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestApp, type TestApp } from '../harness/app.js';
import { ADMIN_ENV, adminSession, createEvent } from '../http/events-fixtures.js';
import { broken, resolver, valid, type Resolve, type Schema } from './arbitraries.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_203);
const REQUESTS = 5_000;
const BATCH = 250;
const CONCURRENCY = 8;
const ANSWER_WITHIN_MS = 10_000;
// Signed in, these would end the fuzzer's own sessions and leave the rest of the run at 401.
const SESSION_ENDING = new Set(['logOut', 'logOutEverywhere']);

interface Parameter {
  in: 'path' | 'query' | 'header';
  name: string;
  required?: boolean;
  schema: Schema;
}
interface Operation {
  operationId: string;
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Schema }> };
}
interface FuzzRequest {
  operationId: string;
  method: string;
  url: string;
  body?: unknown;
  as: 'anonymous' | 'player' | 'admin';
}

describe('fuzzing every operation from /openapi.json', () => {
  let app: TestApp;
  let tokens: Record<FuzzRequest['as'], string | undefined>;
  let requests: Arbitrary<FuzzRequest>;

  beforeAll(async () => {
    app = await startTestApp({ env: ADMIN_ENV });
    const document = (await (await app.request('GET', '/openapi.json')).json()) as { paths: Record<string, Record<string, Operation>> };
    const admin = await adminSession(app);
    const player = await signUp(app);
    const event = await createEvent(app, admin.token);
    tokens = { anonymous: undefined, player: player.token, admin: admin.token };
    // Ids that exist, so valid requests get past the lookups into the code behind them.
    const known = [admin.user.id, player.user.id, event.id, event.slug, 'global'];
    const resolve = resolver(document);
    const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => requestsFor(method.toUpperCase(), path, operation, resolve, known)),
    );
    requests = fc.oneof(...operations);
  });
  afterAll(() => app?.stop());

  it(`answers ${REQUESTS} generated requests without a 5xx or a hang, and stays healthy (seed ${SEED})`, { timeout: 180_000 }, async () => {
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    for (let batch = 0; batch < REQUESTS / BATCH; batch++) {
      // Batches are sampled one at a time: oversized bodies would otherwise all sit in memory at once.
      const pending = fc.sample(requests, { seed: SEED + batch, numRuns: BATCH });
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          for (let next = pending.pop(); next; next = pending.pop()) {
            const status = await send(next).catch((error: Error) => `no answer: ${error.message}`);
            if (typeof status === 'number') statuses.set(status, (statuses.get(status) ?? 0) + 1);
            if (typeof status !== 'number' || status >= 500)
              failures.push(`${next.as} ${next.method} ${next.url} -> ${status} body ${preview(next.body)}`);
          }
        }),
      );
    }
    const sent = [...statuses.values()].reduce((sum, count) => sum + count, 0) + failures.length;
    console.warn(`fuzz seed ${SEED}: ${sent} requests, statuses`, Object.fromEntries([...statuses].sort(([a], [b]) => a - b)));
    expect(failures, `fuzz seed ${SEED} (rerun with FUZZ_SEED=${SEED})`).toEqual([]);
    expect(sent).toBeGreaterThanOrEqual(REQUESTS);

    const ready = await app.request('GET', '/health/ready');
    expect(ready.status).toBe(200);
    expect((await signUp(app)).token).toBeTruthy();
  });

  async function send(request: FuzzRequest): Promise<number> {
    const token = tokens[request.as];
    const response = await fetch(`${app.url}${request.url}`, {
      method: request.method,
      headers: {
        ...(request.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
      signal: AbortSignal.timeout(ANSWER_WITHIN_MS),
    });
    await response.arrayBuffer();
    return response.status;
  }
});

function requestsFor(method: string, path: string, operation: Operation, resolve: Resolve, known: string[]): Arbitrary<FuzzRequest> {
  const parameters = operation.parameters ?? [];
  const pathParameters = parameters.filter((parameter) => parameter.in === 'path');
  const queryParameters = parameters.filter((parameter) => parameter.in === 'query');
  const bodySchema = operation.requestBody?.content['application/json']?.schema;
  const text = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));
  const pathValue = (parameter: Parameter) =>
    fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...known) },
      { weight: 2, arbitrary: valid(parameter.schema, resolve).map(text) },
      { weight: 1, arbitrary: broken(parameter.schema, resolve).map(text) },
    );
  const queryValue = (parameter: Parameter) =>
    fc.option(
      fc.oneof({ weight: 3, arbitrary: valid(parameter.schema, resolve) }, { weight: 1, arbitrary: broken(parameter.schema, resolve) }).map(text),
      { nil: undefined },
    );
  return fc
    .record({
      params: fc.tuple(...pathParameters.map(pathValue)),
      query: fc.tuple(...queryParameters.map(queryValue)),
      body: bodySchema ? fc.oneof(valid(bodySchema, resolve), broken(bodySchema, resolve), fc.constant(undefined)) : fc.constant(undefined),
      as: SESSION_ENDING.has(operation.operationId)
        ? fc.constant('anonymous' as const)
        : fc.constantFrom('anonymous' as const, 'player' as const, 'admin' as const),
    })
    .map(({ params, query, body, as }) => {
      let url = path;
      pathParameters.forEach((parameter, index) => (url = url.replace(`{${parameter.name}}`, encodeURIComponent(wellFormed(params[index]!)))));
      const search = new URLSearchParams();
      queryParameters.forEach((parameter, index) => query[index] !== undefined && search.set(parameter.name, query[index]!));
      return { operationId: operation.operationId, method, url: search.size ? `${url}?${search}` : url, body, as };
    });
}

function preview(body: unknown): string {
  const text = body === undefined ? '(none)' : JSON.stringify(body);
  return text.length > 300 ? `${text.slice(0, 300)}… (${text.length} chars)` : text;
}

/** A URL cannot carry a lone surrogate; the body still can. */
function wellFormed(value: string): string {
  return value.replace(/[\ud800-\udfff]/g, '\ufffd');
}
