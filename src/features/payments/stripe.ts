// The Stripe provider, on the official SDK: Checkout Sessions for payment, the Refunds API,
// and signed webhooks verified by the SDK against the exact raw body.
import type { IncomingHttpHeaders } from 'node:http';
import Stripe from 'stripe';
import { AppError } from '../../errors.js';
import type { CheckoutInput, PaymentProvider, WebhookEvent } from './provider.js';

export interface StripeProviderOptions {
  secretKey: string;
  webhookSecret: string;
  /** Another API base (a local stand-in); the real API when unset. */
  apiUrl?: string;
}

/** Stripe refuses sessions that expire sooner than 30 minutes or later than 24 hours after creation. */
const MIN_SESSION_MS = 30 * 60_000;
const MAX_SESSION_MS = 24 * 3600_000;
/** Room for clock skew and request latency on both limits. */
const SESSION_MARGIN_MS = 60_000;
const REQUEST_TIMEOUT_MS = 10_000;

/**
 * The hold's expiry, pushed into Stripe's allowed window. A session that outlives its hold is
 * expired through the API when the hold ends (the payments listener does that).
 */
export function sessionExpiry(holdExpiresAt: Date, now: Date): Date {
  const earliest = now.getTime() + MIN_SESSION_MS + SESSION_MARGIN_MS;
  const latest = now.getTime() + MAX_SESSION_MS - SESSION_MARGIN_MS;
  return new Date(Math.min(Math.max(holdExpiresAt.getTime(), earliest), latest));
}

function hostOptions(apiUrl: string | undefined): Pick<Stripe.StripeConfig, 'host' | 'port' | 'protocol'> {
  if (!apiUrl) return {};
  const url = new URL(apiUrl);
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  return { host: url.hostname, port: url.port || (protocol === 'http' ? 80 : 443), protocol };
}

function providerError(action: string, error: unknown): AppError {
  const message = error instanceof Error ? error.message : String(error);
  return new AppError('PAYMENT_PROVIDER_ERROR', `Stripe could not ${action}: ${message}`);
}

const isStripeError = (error: unknown): error is Stripe.errors.StripeError => error instanceof Stripe.errors.StripeError;

export function stripeProvider(options: StripeProviderOptions): PaymentProvider {
  const client = new Stripe(options.secretKey, {
    // Retries belong to the job queue (with backoff and a dead-letter set), not to each call.
    maxNetworkRetries: 0,
    timeout: REQUEST_TIMEOUT_MS,
    telemetry: false,
    ...hostOptions(options.apiUrl),
  });

  async function expireCheckout(sessionId: string): Promise<void> {
    try {
      await client.checkout.sessions.expire(sessionId);
    } catch (error) {
      // Only open sessions can be expired: one already expired or completed is done with.
      if (isStripeError(error) && error.type === 'StripeInvalidRequestError') {
        const session = await client.checkout.sessions.retrieve(sessionId).catch((cause: unknown) => {
          throw providerError('read the checkout session', cause);
        });
        if (session.status !== 'open') return;
      }
      throw providerError('expire the checkout session', error);
    }
  }

  return {
    name: 'stripe',

    async createCheckout(input: CheckoutInput) {
      const expiresAt = sessionExpiry(input.expiresAt, new Date());
      const metadata = { registrationId: input.registrationId, eventId: input.eventId };
      let session: Stripe.Checkout.Session;
      try {
        session = await client.checkout.sessions.create({
          mode: 'payment',
          line_items: [
            {
              quantity: 1,
              price_data: { currency: input.currency.toLowerCase(), unit_amount: input.amountCents, product_data: { name: input.title } },
            },
          ],
          client_reference_id: input.registrationId,
          metadata,
          payment_intent_data: { metadata },
          expires_at: Math.floor(expiresAt.getTime() / 1000),
          success_url: input.successUrl,
          cancel_url: input.cancelUrl,
        });
      } catch (error) {
        throw providerError('create a checkout session', error);
      }
      if (!session.url) throw providerError('create a checkout session', new Error('the session has no url'));
      return { url: session.url, sessionId: session.id, expiresAt: new Date(session.expires_at * 1000) };
    },

    expireCheckout,

    async refund({ paymentRef, amountCents, idempotencyKey }) {
      try {
        const refund = await client.refunds.create({ payment_intent: paymentRef, amount: amountCents }, { idempotencyKey });
        return { refundId: refund.id };
      } catch (error) {
        // Refunded outside Stampede (e.g. from the Stripe dashboard): the money is back already.
        if (isStripeError(error) && error.code === 'charge_already_refunded') return { refundId: `external-${paymentRef}` };
        throw providerError('refund', error);
      }
    },

    parseWebhook(rawBody: Buffer, headers: IncomingHttpHeaders): WebhookEvent {
      const signature = headers['stripe-signature'];
      if (typeof signature !== 'string' || signature === '') {
        throw new AppError('WEBHOOK_SIGNATURE_INVALID', 'The Stripe-Signature header is missing');
      }
      let event: Stripe.Event;
      try {
        event = client.webhooks.constructEvent(rawBody, signature, options.webhookSecret);
      } catch (error) {
        throw new AppError('WEBHOOK_SIGNATURE_INVALID', (error as Error).message);
      }
      return toWebhookEvent(event);
    },
  };
}

function toWebhookEvent(event: Stripe.Event): WebhookEvent {
  switch (event.type) {
    case 'checkout.session.completed':
    case 'checkout.session.async_payment_succeeded': {
      const session = event.data.object;
      const registrationId = session.client_reference_id ?? session.metadata?.registrationId;
      // Completed but unpaid (a delayed method): async_payment_succeeded follows when it clears.
      if (session.payment_status !== 'paid' || !registrationId) break;
      const intent = session.payment_intent;
      return {
        kind: 'payment',
        eventId: event.id,
        registrationId,
        sessionId: session.id,
        paymentRef: (typeof intent === 'string' ? intent : intent?.id) ?? session.id,
        amountCents: session.amount_total ?? 0,
        currency: (session.currency ?? '').toUpperCase(),
      };
    }
    case 'checkout.session.expired':
      return { kind: 'checkout-expired', eventId: event.id, sessionId: event.data.object.id };
  }
  return { kind: 'ignored', eventId: event.id, type: event.type };
}
