// The payment provider port. The payments service speaks only this interface; `manual` and
// `stripe` implement it, and a new provider is one more file.
import type { IncomingHttpHeaders } from 'node:http';

export interface CheckoutInput {
  registrationId: string;
  eventId: string;
  title: string;
  amountCents: number;
  /** ISO 4217, e.g. EUR. */
  currency: string;
  /** When the hold on the spot ends; the session must not be payable much longer. */
  expiresAt: Date;
  successUrl: string;
  cancelUrl: string;
}

export interface Checkout {
  url: string;
  sessionId: string;
  /** When the provider will stop accepting this session (may be later than the hold: providers have minimums). */
  expiresAt: Date;
}

export interface RefundInput {
  /** The provider's id of the payment to refund (the Stripe payment intent). */
  paymentRef: string;
  amountCents: number;
  /** Sent to the provider so that a retried request refunds once. */
  idempotencyKey: string;
}

/** A verified provider notification that a checkout was paid. */
export interface PaymentReceived {
  kind: 'payment';
  eventId: string;
  registrationId: string;
  sessionId: string;
  /** The provider's id of the payment (what a refund needs). */
  paymentRef: string;
  amountCents: number;
  currency: string;
}

/** A verified notification that changes nothing but our record of the session. */
export interface CheckoutExpired {
  kind: 'checkout-expired';
  eventId: string;
  sessionId: string;
}

export interface IgnoredEvent {
  kind: 'ignored';
  eventId: string;
  type: string;
}

export type WebhookEvent = PaymentReceived | CheckoutExpired | IgnoredEvent;

export interface PaymentProvider {
  readonly name: 'manual' | 'stripe';
  createCheckout(input: CheckoutInput): Promise<Checkout>;
  /** Makes the session unpayable. Expiring one that is already expired is not an error. */
  expireCheckout(sessionId: string): Promise<void>;
  refund(input: RefundInput): Promise<{ refundId: string }>;
  /** Verifies the signature over the exact raw body; throws AppError WEBHOOK_SIGNATURE_INVALID. */
  parseWebhook(rawBody: Buffer, headers: IncomingHttpHeaders): WebhookEvent;
}
