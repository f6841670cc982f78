// /metrics on a port of its own (METRICS_PORT), for a scraper on an internal network: nothing
// else is served there, and the public port's /metrics stays closed to the outside.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface MetricsPort {
  port: number;
  close(): Promise<void>;
}

export async function serveMetricsPort(
  port: number,
  host: string,
  scrape: () => Promise<{ contentType: string; body: string }>,
): Promise<MetricsPort> {
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('Only /metrics is served on this port\n');
      return;
    }
    scrape().then(
      ({ contentType, body }) => response.writeHead(200, { 'content-type': contentType }).end(body),
      () => response.writeHead(500, { 'content-type': 'text/plain' }).end('Could not collect the metrics\n'),
    );
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, host, resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
