// Idempotency-Key on POST: a retried request gets the stored answer instead of acting twice.
// Keys are scoped per user (per client IP for anonymous calls) and expire after 24 h.
import { createHash } from 'node:crypto';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';
import type { IdempotencyStore } from '../platform/idempotency/store.js';
import type { IdempotencyTicket, StoredAnswer } from '../platform/idempotency/port.js';
import { canonicalJson } from '../platform/canonical-json.js';
import { PROBLEM_CONTENT_TYPE } from './problem.js';

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

declare module 'fastify' {
  interface FastifyRequest {
    idempotency?: { scope: string; key: string };
    /** On 'with-effect' routes: the key, for the feature to claim in its own transaction. */
    idempotencyTicket?: IdempotencyTicket;
  }
  interface FastifyContextConfig {
    /**
     * false for routes whose answer must never be stored: one that issues a session token would
     * keep the token in the database for a day and hand it to anyone replaying the key.
     * 'with-effect' for the batched hot paths: the feature claims the key and stores its answer
     * in the batch's transaction (request.idempotencyTicket) and the route sends stored answers
     * with sendStoredAnswer.
     */
    idempotency?: boolean | 'with-effect';
  }
}

/** What makes two requests "the same": method, path with query, and body. */
export function hashRequest(method: string, url: string, body: unknown): string {
  return createHash('sha256')
    .update(`${method} ${url}\n${canonicalJson(body ?? null)}`)
    .digest('hex');
}

const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/** Sends an answer stored under an Idempotency-Key, marked as a replay. */
export function sendStoredAnswer(reply: FastifyReply, answer: StoredAnswer): FastifyReply {
  reply.header('idempotent-replayed', 'true').code(answer.status);
  if (answer.contentType) reply.type(answer.contentType);
  return reply.send(answer.body ?? undefined);
}

function ticketFor(request: FastifyRequest, scope: string, key: string, ttlSeconds: number): IdempotencyTicket {
  return {
    scope,
    key,
    requestHash: hashRequest(request.method, request.url, request.body),
    ttlSeconds,
    render: (outcome) =>
      outcome instanceof AppError
        ? { status: outcome.status, body: JSON.stringify(outcome.toProblem(request.url)), contentType: PROBLEM_CONTENT_TYPE }
        : { status: outcome.status, body: JSON.stringify(outcome.payload), contentType: JSON_CONTENT_TYPE },
  };
}

export function registerIdempotency(app: FastifyInstance, store: IdempotencyStore, ttlSeconds: number): void {
  app.decorateRequest('idempotency', undefined);
  app.decorateRequest('idempotencyTicket', undefined);

  app.addHook('preHandler', async (request, reply) => {
    const header = request.headers['idempotency-key'];
    const mode = request.routeOptions.config.idempotency;
    if (request.method !== 'POST' || header === undefined || mode === false) return;
    if (typeof header !== 'string' || !KEY_PATTERN.test(header)) {
      throw new AppError('IDEMPOTENCY_KEY_INVALID', 'Idempotency-Key must be 1 to 255 visible ASCII characters');
    }
    const scope = request.auth ? `user:${request.auth.sub}` : `ip:${request.ip}`;
    if (mode === 'with-effect') {
      request.idempotencyTicket = ticketFor(request, scope, header, ttlSeconds);
      return;
    }
    const claim = await store.claim(scope, header, hashRequest(request.method, request.url, request.body));
    switch (claim.kind) {
      case 'claimed':
        request.idempotency = { scope, key: header };
        return;
      case 'mismatch':
        throw new AppError('IDEMPOTENCY_KEY_REUSED', 'This key was first used with a different method, path or body');
      case 'in-flight':
        throw new AppError('IDEMPOTENCY_KEY_IN_FLIGHT', 'Retry once the first request has finished', {}, { 'retry-after': '1' });
      case 'replay':
        return sendStoredAnswer(reply, claim);
    }
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const claim = request.idempotency;
    if (!claim) return payload;
    request.idempotency = undefined;
    // A 5xx committed nothing (or we cannot tell), so the client must be free to retry.
    const contentType = reply.getHeader('content-type');
    const status = reply.statusCode;
    const settle =
      status >= 500 || typeof payload !== 'string'
        ? () => store.release(claim.scope, claim.key)
        : () => store.complete(claim.scope, claim.key, status, payload, typeof contentType === 'string' ? contentType : null);
    // The answer itself is already decided. If the database is down, keep trying in the
    // background: a key left claimed would tell the client's retries "in flight" for a minute.
    await settle().catch((error: unknown) => {
      request.log.warn({ err: error }, 'could not save the idempotent response; retrying in the background');
      retryUntilSaved(settle, request.log);
    });
    return payload;
  });
}

/** Past this a claim counts as abandoned anyway (see the store), so there is no point going on. */
const RETRY_FOR_MS = 60_000;
const FIRST_RETRY_MS = 250;
const MAX_RETRY_DELAY_MS = 5_000;

function retryUntilSaved(save: () => Promise<void>, log: FastifyBaseLogger): void {
  const giveUpAt = Date.now() + RETRY_FOR_MS;
  const attempt = (delayMs: number) => {
    setTimeout(() => {
      save().catch((error: unknown) => {
        const next = Math.min(delayMs * 2, MAX_RETRY_DELAY_MS);
        if (Date.now() + next < giveUpAt) attempt(next);
        else log.warn({ err: error }, 'gave up saving the idempotent response; the key is freed once its claim is abandoned');
      });
    }, delayMs).unref();
  };
  attempt(FIRST_RETRY_MS);
}
