// Turns every error into RFC 9457 problem+json with a stable code from the catalogue.
// Anything unexpected becomes a logged 500 with no internals leaked.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, type ErrorCode } from '../errors.js';
import { BrokenCircuitError, isConnectionError } from '../platform/breakers.js';
import { causeChain } from '../platform/causes.js';
import { pgErrorInfo } from '../platform/db/errors.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

interface FieldError {
  field: string;
  message: string;
}

type ValidationIssue = NonNullable<FastifyError['validation']>[number];

function fieldOf(context: string | undefined, issue: ValidationIssue): string {
  const pointer = issue.instancePath.split('/').filter(Boolean);
  const missing = (issue.params as { missingProperty?: string; additionalProperty?: string }) ?? {};
  if (missing.missingProperty) pointer.push(missing.missingProperty);
  if (missing.additionalProperty) pointer.push(missing.additionalProperty);
  return [context ?? 'body', ...pointer].join('.');
}

function validationError(error: FastifyError): AppError {
  const errors: FieldError[] = (error.validation ?? []).map((issue) => ({
    field: fieldOf(error.validationContext, issue),
    message: issue.keyword === 'additionalProperties' ? 'is not an allowed property' : (issue.message ?? 'is invalid'),
  }));
  const detail = errors.map((e) => `${e.field} ${e.message}`).join('; ');
  return new AppError('VALIDATION_FAILED', detail, { errors });
}

function unavailable(code: ErrorCode, retryAfterMs: number): AppError {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return new AppError(code, undefined, {}, { 'retry-after': String(seconds) });
}

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_BODY',
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_BODY',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'MALFORMED_BODY',
  FST_ERR_CTP_INVALID_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
};

/** Maps any thrown value to the AppError the client should see. */
export function toAppError(error: unknown, retryAfterMs: () => number): AppError {
  if (error instanceof AppError) return error;
  // Open breaker: fail fast. Connection error: the failures that open it; equally "retry later".
  if ([...causeChain(error)].some((cause) => cause instanceof BrokenCircuitError)) return unavailable('DATABASE_UNAVAILABLE', retryAfterMs());
  if (isConnectionError(error)) return unavailable('DATABASE_UNAVAILABLE', 1000);
  // SQLSTATE class 22, data exception: a value the database cannot store. A batch splits down
  // to the one item that carries it, and the fault is that item's input.
  if (pgErrorInfo(error)?.code.startsWith('22')) return new AppError('VALIDATION_FAILED', 'A value in the request cannot be stored');
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) return validationError(fastifyError);
  const mapped = fastifyError.code ? FASTIFY_CODES[fastifyError.code] : undefined;
  if (mapped) return new AppError(mapped, fastifyError.message);
  // Body parser errors (bad JSON, prototype poisoning) carry a 4xx status but no code we list.
  const status = fastifyError.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    if (status === 413) return new AppError('PAYLOAD_TOO_LARGE', fastifyError.message);
    if (status === 415) return new AppError('UNSUPPORTED_MEDIA_TYPE', fastifyError.message);
    return new AppError('MALFORMED_BODY', fastifyError.message);
  }
  return new AppError('INTERNAL');
}

export function sendProblem(reply: FastifyReply, request: FastifyRequest, error: AppError) {
  return reply.code(error.status).headers(error.headers).type(PROBLEM_CONTENT_TYPE).send(error.toProblem(request.url));
}

/** `clientRoute` answers paths that belong to the web app (see web-app.ts) before they become 404s. */
export function registerProblemHandlers(
  app: FastifyInstance,
  databaseRetryAfterMs: () => number,
  clientRoute: (request: FastifyRequest, reply: FastifyReply) => boolean = () => false,
): void {
  app.setErrorHandler((error, request, reply) => {
    const appError = toAppError(error, databaseRetryAfterMs);
    if (appError.status >= 500) {
      const level = appError.code === 'INTERNAL' ? 'error' : 'warn';
      request.log[level]({ err: error }, 'request failed');
    }
    return sendProblem(reply, request, appError);
  });
  app.setNotFoundHandler((request, reply) => {
    if (clientRoute(request, reply)) return reply;
    return sendProblem(reply, request, new AppError('ROUTE_NOT_FOUND', `${request.method} ${request.url.split('?')[0]} does not exist`));
  });
}
