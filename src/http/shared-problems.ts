// The problem+json answers a route can give because of the layers every request passes through
// (rate limits, the auth guard, body parsing, idempotency, load shedding, the database breaker),
// documented once here instead of in each route file.
import type { RouteOptions } from 'fastify';
import { ERROR_CATALOGUE, type ErrorCode } from '../errors.js';
import { ProblemSchema } from './schemas.js';

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The codes `route` can answer whatever its handler does. */
export function sharedProblemCodes(route: Pick<RouteOptions, 'method' | 'url' | 'config' | 'schema'>): ErrorCode[] {
  const method = [route.method].flat()[0]!.toUpperCase();
  const config = (route.config ?? {}) as { auth?: unknown; rateLimit?: string };
  const schema = (route.schema ?? {}) as Record<string, unknown>;
  const codes: ErrorCode[] = ['INTERNAL', 'OVERLOADED', 'DATABASE_UNAVAILABLE', 'SHUTTING_DOWN'];
  const rateLimit = config.rateLimit ?? (route.url.startsWith('/api/') ? 'api' : 'none');
  if (rateLimit !== 'none') codes.push('RATE_LIMITED');
  if (config.auth) codes.push('UNAUTHENTICATED', 'INVALID_TOKEN');
  if (Array.isArray(config.auth)) codes.push('FORBIDDEN');
  if (schema.params || schema.querystring || schema.body) codes.push('VALIDATION_FAILED');
  if (BODY_METHODS.has(method)) codes.push('MALFORMED_BODY', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE');
  if (method === 'POST') codes.push('IDEMPOTENCY_KEY_INVALID', 'IDEMPOTENCY_KEY_IN_FLIGHT', 'IDEMPOTENCY_KEY_REUSED');
  return codes;
}

/** The problem schema's id, which `$ref`s name (TypeBox 1 does not type `$id`). */
const PROBLEM_ID = (ProblemSchema as unknown as { $id: string }).$id;

const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: PROBLEM_ID } } },
});

type ResponseObject = ReturnType<typeof problemResponse>;

const isProblemRef = (schema: unknown) => (schema as { $ref?: string } | undefined)?.$ref === PROBLEM_ID;
const isProblem = (response: unknown) => Boolean((response as Partial<ResponseObject>).content?.['application/problem+json']);

function withProblemContent(own: unknown, problem: ResponseObject): ResponseObject {
  const response = own as { description?: string; content?: Record<string, unknown> };
  // Either a response object with content by media type, or a bare JSON schema.
  const content = response.content ?? { 'application/json': { schema: own } };
  return { description: response.description ?? 'Default Response', content: { ...content, ...problem.content } } as ResponseObject;
}

/**
 * The route's responses as documented: its own, with problem answers served as
 * application/problem+json, plus the shared problem statuses it does not list itself.
 */
export function documentResponses(route: RouteOptions, responses: Record<string, unknown> = {}): Record<string, unknown> {
  const documented: Record<string, unknown> = {};
  for (const [status, schema] of Object.entries(responses)) {
    documented[status] = isProblemRef(schema) ? problemResponse(`Problem ${status}`) : schema;
  }
  const byStatus = new Map<string, ErrorCode[]>();
  for (const code of sharedProblemCodes(route)) {
    const status = String(ERROR_CATALOGUE[code].status);
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  for (const [status, codes] of byStatus) {
    const own = documented[status];
    const problem = problemResponse(`Problem: ${codes.join(', ')}`);
    // A status the route answers itself (readiness's 503) may also come from a shared layer as a problem.
    documented[status] = own === undefined || isProblem(own) ? (own ?? problem) : withProblemContent(own, problem);
  }
  return documented;
}
