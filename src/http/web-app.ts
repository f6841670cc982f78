// Serves the built web app (web/dist) beside the API. Hashed assets never change, so browsers
// keep them for a year; index.html names the current hashes, so it is revalidated every time.
// Client-side routes (/events/42) get index.html, but the API's own prefixes keep their
// problem+json 404s: a typo in an API path must never answer 200 with a page.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

const SERVER_PREFIXES = ['/api', '/docs', '/socket.io', '/metrics', '/health', '/openapi.json', '/assets/'];
const IMMUTABLE = 'public, max-age=31536000, immutable';

/** web/dist, two levels above src/http (tsx) and dist/http (the build); undefined when the app was not built. */
export function findWebBuild(): string | undefined {
  const dir = fileURLToPath(new URL('../../web/dist', import.meta.url));
  return existsSync(path.join(dir, 'index.html')) ? dir : undefined;
}

export function isClientRoute(request: FastifyRequest): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  const pathname = request.url.split('?')[0]!;
  return !SERVER_PREFIXES.some(
    (prefix) => pathname === prefix.replace(/\/$/, '') || pathname.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`),
  );
}

export interface WebApp {
  /** Registers the static files; nothing when there is no build. */
  register(app: FastifyInstance): Promise<void>;
  /** Answers a client route with index.html; false when there is no build or the path is the server's. */
  serveShell(request: FastifyRequest, reply: FastifyReply): boolean;
}

export function createWebApp(root: string | undefined): WebApp {
  return {
    async register(app) {
      if (!root) return;
      await app.register(fastifyStatic, {
        root,
        // One route per file found at start-up, so unknown paths reach the not-found handler.
        wildcard: false,
        cacheControl: false,
        setHeaders: (reply, file) => {
          reply.header('cache-control', file.includes(`${path.sep}assets${path.sep}`) ? IMMUTABLE : 'no-cache');
        },
      });
    },
    serveShell(request, reply) {
      if (!root || !isClientRoute(request)) return false;
      void reply.sendFile('index.html');
      return true;
    },
  };
}
