// The typed API client: paths and bodies come from schema.d.ts, generated from /openapi.json
// (npm run web:api). Every write carries an Idempotency-Key; callers that may repeat an intent
// (a double click, a retry after reconnecting) pass their own so the server sees one request.
import createClient, { type Middleware } from 'openapi-fetch';
import { newIdempotencyKey } from '../lib/keys';
import { fetchWithRetry } from './retry';
import type { paths } from './schema';
import { session, setSession } from './session';

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const auth: Middleware = {
  onRequest({ request }) {
    const token = session.get()?.token;
    if (token && !request.headers.has('authorization')) request.headers.set('authorization', `Bearer ${token}`);
    if (WRITES.has(request.method) && !request.headers.has('idempotency-key')) request.headers.set('idempotency-key', newIdempotencyKey());
    return request;
  },
  onResponse({ request, response }) {
    // A revoked or expired session: forget it, so the page offers to sign in again.
    if (response.status === 401 && request.headers.has('authorization')) setSession(null);
    return response;
  },
};

export const api = createClient<paths>({ baseUrl: window.location.origin, fetch: fetchWithRetry });
api.use(auth);

export type Problem = { code: string; title: string; detail?: string; status: number; errors?: { field: string; message: string }[] };

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title);
  }
}

/** Unwraps an openapi-fetch result: the data, or an ApiError with the problem's code. */
export async function call<T>(pending: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await pending;
  // 204 No Content (a delete): openapi-fetch gives no data, and there is none to give.
  if (response.status === 204) return undefined as T;
  if (error !== undefined || data === undefined) {
    const problem = (error as Problem | undefined) ?? { code: 'HTTP_' + response.status, title: response.statusText, status: response.status };
    throw new ApiError(problem);
  }
  return data;
}

/** Headers for a write whose key the caller holds (see useIntentKey). */
export const idempotent = (key: string) => ({ 'idempotency-key': key });
