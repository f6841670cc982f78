// Security headers: helmet's, computed once at startup. @fastify/helmet runs helmet's middleware
// on every request, which rebuilds the Content-Security-Policy string each time (an eighth of
// the CPU of a liveness request in a profile); none of our values depend on the request.
import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';

/** The headers helmet would set with these options, lower-cased, as one object to send as is. */
export function securityHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader: (name: string, value: string) => {
      headers[name.toLowerCase()] = value;
    },
    removeHeader: (name: string) => {
      delete headers[name.toLowerCase()];
    },
  };
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => {
    if (error) throw error;
  });
  return headers;
}
