// A stand-in for the WhatsApp Cloud API (Graph API), not the real thing: a local HTTP server
// that accepts POST /<version>/<phone-number-id>/messages, records every call with the time it
// arrived, and answers 429, 500 or Graph error 130429 on demand for the next calls.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedCall {
  path: string;
  authorization: string | undefined;
  body: any;
  /** performance.now() when the request arrived. */
  at: number;
  /** What the stand-in answered. */
  status: number;
}

export type Fault = 429 | 500 | 'graph-130429' | 400;

export interface GraphApiStandIn {
  /** Base URL for WHATSAPP_GRAPH_URL. */
  url: string;
  calls: RecordedCall[];
  /** Answers the next `count` calls (to `to`, or to anyone) with this fault. */
  failNext(fault: Fault, count?: number, to?: string): void;
  /** Accepted (200) calls only. */
  accepted(): RecordedCall[];
  /** The largest number of accepted calls that arrived within any window of `windowMs`. */
  maxInWindow(windowMs: number): number;
  close(): Promise<void>;
}

export async function startGraphApiStandIn(): Promise<GraphApiStandIn> {
  const calls: RecordedCall[] = [];
  const faults: Array<{ fault: Fault; to?: string }> = [];
  let nextId = 1;

  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const at = performance.now();
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      const index = faults.findIndex((fault) => fault.to === undefined || fault.to === body.to);
      const fault = index >= 0 ? faults.splice(index, 1)[0]!.fault : undefined;
      const [status, answer] = respond(fault, () => `wamid.standin${nextId++}`);
      calls.push({ path: request.url ?? '', authorization: request.headers.authorization, body, at, status });
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const accepted = () => calls.filter((call) => call.status === 200);
  return {
    url: `http://127.0.0.1:${port}/v21.0`,
    calls,
    failNext(fault, count = 1, to) {
      for (let i = 0; i < count; i++) faults.push({ fault, to });
    },
    accepted,
    maxInWindow(windowMs) {
      const times = accepted()
        .map((call) => call.at)
        .sort((a, b) => a - b);
      let max = 0;
      for (let start = 0, end = 0; end < times.length; end++) {
        while (times[end]! - times[start]! >= windowMs) start++;
        max = Math.max(max, end - start + 1);
      }
      return max;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function respond(fault: Fault | undefined, id: () => string): [number, unknown] {
  switch (fault) {
    case undefined:
      return [200, { messaging_product: 'whatsapp', messages: [{ id: id() }] }];
    case 429:
      return [429, { error: { code: 4, message: 'Application request limit reached' } }];
    case 500:
      return [500, { error: { code: 1, message: 'An unknown error occurred' } }];
    case 'graph-130429':
      return [400, { error: { code: 130429, message: 'Rate limit hit' } }];
    case 400:
      return [400, { error: { code: 131026, message: 'Message undeliverable' } }];
  }
}
