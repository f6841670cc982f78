// A local stand-in for the few Stripe API endpoints Stampede calls (a node:http server, not
// Stripe): it records every request and answers in Stripe's shapes, so the real SDK runs
// against it unchanged. It also builds signed webhook deliveries with the SDK's test helper.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';

export interface RecordedRequest {
  method: string;
  path: string;
  idempotencyKey: string | undefined;
  params: URLSearchParams;
}

interface Session {
  id: string;
  object: 'checkout.session';
  url: string;
  status: 'open' | 'complete' | 'expired';
  payment_status: 'unpaid' | 'paid';
  client_reference_id: string | null;
  metadata: Record<string, string>;
  amount_total: number;
  currency: string;
  expires_at: number;
  payment_intent: string | null;
}

export const WEBHOOK_SECRET = 'whsec_test_stand_in_secret';
const signer = new Stripe('sk_test_signer_only');

async function readBody(request: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of request) body += chunk;
  return body;
}

export async function startStripeStandIn() {
  const requests: RecordedRequest[] = [];
  const sessions = new Map<string, Session>();
  let counter = 0;
  const failures = { refunds: false };

  const server: Server = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://stand-in');
    const params = new URLSearchParams(await readBody(request));
    const header = request.headers['idempotency-key'];
    requests.push({ method: request.method ?? '', path: url.pathname, idempotencyKey: typeof header === 'string' ? header : undefined, params });
    const send = (status: number, body: unknown) =>
      response.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_${++counter}` }).end(JSON.stringify(body));
    const invalid = (message: string) => send(400, { error: { type: 'invalid_request_error', message } });

    const expire = /^\/v1\/checkout\/sessions\/([^/]+)\/expire$/.exec(url.pathname);
    const retrieve = /^\/v1\/checkout\/sessions\/([^/]+)$/.exec(url.pathname);
    if (request.method === 'POST' && url.pathname === '/v1/checkout/sessions') {
      const id = `cs_test_${++counter}`;
      const session: Session = {
        id,
        object: 'checkout.session',
        url: `https://checkout.stripe.test/c/pay/${id}`,
        status: 'open',
        payment_status: 'unpaid',
        client_reference_id: params.get('client_reference_id'),
        metadata: { registrationId: params.get('metadata[registrationId]') ?? '', eventId: params.get('metadata[eventId]') ?? '' },
        amount_total: Number(params.get('line_items[0][price_data][unit_amount]')),
        currency: params.get('line_items[0][price_data][currency]') ?? '',
        expires_at: Number(params.get('expires_at')),
        payment_intent: null,
      };
      sessions.set(id, session);
      return send(200, session);
    }
    if (request.method === 'POST' && expire) {
      const session = sessions.get(expire[1]!);
      if (!session) return send(404, { error: { type: 'invalid_request_error', message: 'No such checkout.session' } });
      if (session.status !== 'open') return invalid('Only Checkout Sessions with a status of `open` can be expired.');
      session.status = 'expired';
      return send(200, session);
    }
    if (request.method === 'GET' && retrieve) {
      const session = sessions.get(retrieve[1]!);
      return session ? send(200, session) : send(404, { error: { type: 'invalid_request_error', message: 'No such checkout.session' } });
    }
    if (request.method === 'POST' && url.pathname === '/v1/refunds') {
      if (failures.refunds) return send(500, { error: { type: 'api_error', message: 'stand-in refund failure' } });
      return send(200, {
        id: `re_test_${++counter}`,
        object: 'refund',
        payment_intent: params.get('payment_intent'),
        amount: Number(params.get('amount')),
        status: 'succeeded',
      });
    }
    send(404, { error: { type: 'invalid_request_error', message: `stand-in has no ${request.method} ${url.pathname}` } });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    apiUrl,
    requests,
    failures,
    sessions,
    /** Environment that points a Stampede server at this stand-in. */
    env: { PAYMENT_PROVIDER: 'stripe', STRIPE_SECRET_KEY: 'sk_test_stand_in', STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET, STRIPE_API_URL: apiUrl },
    refundRequests: () => requests.filter((r) => r.method === 'POST' && r.path === '/v1/refunds'),
    /** The customer pays: the session completes, as Stripe would record it. */
    pay(sessionId: string): Session {
      const session = sessions.get(sessionId);
      if (!session) throw new Error(`no session ${sessionId}`);
      session.status = 'complete';
      session.payment_status = 'paid';
      session.payment_intent = `pi_test_${sessionId}`;
      return session;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type StripeStandIn = Awaited<ReturnType<typeof startStripeStandIn>>;

let eventCounter = 0;

/** A webhook delivery as Stripe sends it: the JSON body and its Stripe-Signature header. */
export function signedEvent(type: string, object: unknown, options: { id?: string; secret?: string } = {}) {
  const payload = JSON.stringify({
    id: options.id ?? `evt_test_${Date.now()}_${eventCounter++}`,
    object: 'event',
    api_version: '2025-01-01',
    created: Math.floor(Date.now() / 1000),
    type,
    data: { object },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
  });
  const signature = signer.webhooks.generateTestHeaderString({ payload, secret: options.secret ?? WEBHOOK_SECRET });
  return { payload, headers: { 'content-type': 'application/json', 'stripe-signature': signature } };
}
