// Idempotency-Key on POST: a retried request gets the stored answer instead of acting twice.
// Keys are scoped per user (per client IP for anonymous calls) and expire after 24 h.
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors.js';
import type { IdempotencyStore } from './idempotency-store.js';

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

declare module 'fastify' {
  interface FastifyRequest {
    idempotency?: { scope: string; key: string };
  }
}

/** JSON with sorted keys, so that {a,b} and {b,a} count as the same request. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** What makes two requests "the same": method, path with query, and body. */
export function hashRequest(method: string, url: string, body: unknown): string {
  return createHash('sha256').update(`${method} ${url}\n${canonicalJson(body ?? null)}`).digest('hex');
}

export function registerIdempotency(app: FastifyInstance, store: IdempotencyStore): void {
  app.decorateRequest('idempotency', undefined);

  app.addHook('preHandler', async (request, reply) => {
    const header = request.headers['idempotency-key'];
    if (request.method !== 'POST' || header === undefined) return;
    if (typeof header !== 'string' || !KEY_PATTERN.test(header)) {
      throw new AppError('IDEMPOTENCY_KEY_INVALID', 'Idempotency-Key must be 1 to 255 visible ASCII characters');
    }
    const scope = request.auth ? `user:${request.auth.sub}` : `ip:${request.ip}`;
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
        reply.header('idempotent-replayed', 'true').code(claim.status);
        if (claim.contentType) reply.type(claim.contentType);
        return reply.send(claim.body ?? undefined);
    }
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const claim = request.idempotency;
    if (!claim) return payload;
    request.idempotency = undefined;
    // A 5xx committed nothing (or we cannot tell), so the client must be free to retry.
    try {
      if (reply.statusCode >= 500 || typeof payload !== 'string') {
        await store.release(claim.scope, claim.key);
      } else {
        const contentType = reply.getHeader('content-type');
        await store.complete(claim.scope, claim.key, reply.statusCode, payload, typeof contentType === 'string' ? contentType : null);
      }
    } catch (error) {
      // The answer itself is already decided; an unsaved key turns into an abandoned claim after a minute.
      request.log.warn({ err: error }, 'could not save the idempotent response');
    }
    return payload;
  });
}
