// The address a socket's handshake came from, trusting X-Forwarded-For exactly as far as Fastify
// does for HTTP requests (TRUST_PROXY), so anonymous sockets behind the shipped nginx are counted
// per client and not all as the proxy.
import type { IncomingMessage } from 'node:http';
import proxyAddr from '@fastify/proxy-addr';

export type ClientAddress = (request: IncomingMessage) => string;

export function clientAddress(trustProxy: boolean | number | string): ClientAddress {
  // As Fastify: a bare hop count cannot vouch for the immediate peer, so it trusts nothing.
  if (trustProxy === false || typeof trustProxy === 'number') return (request) => request.socket.remoteAddress ?? 'unknown';
  const trust = trustProxy === true ? () => true : proxyAddr.compile(trustProxy.split(',').map((value) => value.trim()));
  return (request) => proxyAddr(request, trust);
}
