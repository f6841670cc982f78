// Payments: checkout for held registrations, organizer mark-paid, and webhook intake. The
// registration's payment state belongs to the events service (one transaction decides
// confirmed, already paid or refund); this feature talks to providers and keeps the ledger.
import type { IncomingHttpHeaders } from 'node:http';
import type { PaymentsConfig } from '../../config.js';
import { AppError } from '../../errors.js';
import type { Role } from '../../domain/accounts.js';
import type { JobQueue } from '../../platform/jobs/port.js';
import type { Metrics } from '../../platform/metrics.js';
import type { EventsService, PaymentInput, RegistrationView, SettleOutcome } from '../events/index.js';
import type { PaymentProvider, WebhookEvent } from './provider.js';
import type { PaymentsStore } from './store.js';

/** What payments uses of the events service. */
export type EventsForPayments = Pick<
  EventsService,
  'get' | 'getRegistration' | 'settlePayment' | 'markRefunded' | 'pendingRefunds' | 'onRegistrationChanged'
>;

export const JOB = {
  webhook: 'payments.webhook',
  refund: 'payments.refund',
  expireCheckout: 'payments.expire-checkout',
} as const;

/** Job ids are the dedupe keys: one webhook job per provider event, one refund job per charge. */
export const jobIds = {
  webhook: (provider: string, eventId: string) => `webhook-${provider}-${eventId}`,
  refund: (chargeId: string) => `refund-${chargeId}`,
};

/** An open session closer to its end than this is replaced rather than handed out again. */
const REUSE_MARGIN_MS = 60_000;
const UNPAID = new Set(['none', 'pending']);

export interface PaymentsDeps {
  store: PaymentsStore;
  events: EventsForPayments;
  /** The provider new checkouts use (PAYMENT_PROVIDER). */
  provider: PaymentProvider;
  /** Every provider a stored payment may refer to, by name. */
  providers: Partial<Record<PaymentProvider['name'], PaymentProvider>>;
  jobs: JobQueue;
  config: PaymentsConfig;
  metrics: Metrics;
}

export function createPaymentsService(deps: PaymentsDeps) {
  const { store, events, provider, providers, jobs, config, metrics } = deps;
  const retry = { attempts: config.retryAttempts, backoffMs: config.retryBackoffMs };

  async function registrationOrThrow(id: string): Promise<RegistrationView> {
    const registration = await events.getRegistration(id);
    if (!registration) throw new AppError('NOT_FOUND', `No registration ${id}`);
    return registration;
  }

  function enqueueRefund(chargeId: string): Promise<string> {
    return jobs.add(JOB.refund, { chargeId }, { jobId: jobIds.refund(chargeId), ...retry });
  }

  /**
   * Records the money in the ledger first (it arrived, whatever the registration's fate), then
   * lets the events service decide in one transaction. A payment it cannot keep is refunded.
   */
  async function settle(payment: PaymentInput): Promise<{ outcome: SettleOutcome; registration: RegistrationView }> {
    const charge = await store.recordCharge(payment);
    const result = await events.settlePayment(payment);
    await store.markSettled(charge.id, result.outcome !== 'refund');
    if (result.outcome === 'refund') await enqueueRefund(charge.id);
    metrics.paymentsSettled.inc({ outcome: result.outcome });
    return result;
  }

  function enqueueWebhook(providerName: string, event: WebhookEvent): Promise<string> {
    return jobs.add(JOB.webhook, { provider: providerName, event }, { jobId: jobIds.webhook(providerName, event.eventId), ...retry });
  }

  /** The provider a stored session or charge belongs to; failing loudly keeps its job in the dead-letter set. */
  function providerFor(name: string): PaymentProvider {
    const found = providers[name as PaymentProvider['name']];
    if (!found) throw new Error(`payment provider ${name} is not configured on this server`);
    return found;
  }

  /** Makes any open session of the registration unpayable, e.g. before it is paid another way. */
  async function expireOpenCheckout(registrationId: string): Promise<void> {
    const open = await store.openCheckout(registrationId);
    if (!open) return;
    await providerFor(open.provider).expireCheckout(open.sessionId);
    await store.setCheckoutStatus(open.sessionId, 'expired');
  }

  return {
    providerFor,
    enqueueRefund,
    enqueueWebhook,
    settle,
    expireOpenCheckout,

    /** The owner of a held, unpaid registration gets a payable session that ends with the hold. */
    async checkout(userId: string, registrationId: string): Promise<{ url: string; sessionId: string; expiresAt: string }> {
      const registration = await registrationOrThrow(registrationId);
      if (registration.userId !== userId) throw new AppError('FORBIDDEN', 'This is not your registration');
      const holdEnds = registration.holdExpiresAt ? new Date(registration.holdExpiresAt) : undefined;
      if (registration.status !== 'held' || !UNPAID.has(registration.paymentStatus) || !holdEnds || holdEnds.getTime() <= Date.now()) {
        throw new AppError(
          'INVALID_STATE',
          `Only a held, unpaid registration can be paid (it is ${registration.status}, payment ${registration.paymentStatus})`,
        );
      }
      const open = await store.openCheckout(registrationId);
      if (open && open.expiresAt.getTime() - Date.now() > REUSE_MARGIN_MS) {
        // Handing out the same session means a double click cannot lead to two payments.
        return { url: open.url, sessionId: open.sessionId, expiresAt: open.expiresAt.toISOString() };
      }
      if (open) await expireOpenCheckout(registrationId);
      const base = `${config.publicUrl}/events/${encodeURIComponent(registration.event.slug)}`;
      const created = await provider.createCheckout({
        registrationId,
        eventId: registration.eventId,
        title: registration.event.title,
        amountCents: registration.event.priceCents,
        currency: registration.event.currency,
        expiresAt: holdEnds,
        successUrl: `${base}?checkout=success&registration=${registrationId}`,
        cancelUrl: `${base}?checkout=cancelled&registration=${registrationId}`,
      });
      const row = await store.insertCheckout({
        sessionId: created.sessionId,
        registrationId,
        provider: provider.name,
        url: created.url,
        amountCents: registration.event.priceCents,
        currency: registration.event.currency,
        expiresAt: created.expiresAt,
      });
      if (!row) {
        // A concurrent request stored its session first: withdraw ours and hand out theirs.
        await provider.expireCheckout(created.sessionId);
        const winner = await store.openCheckout(registrationId);
        if (!winner) throw new AppError('INVALID_STATE', 'The checkout changed meanwhile; try again');
        return { url: winner.url, sessionId: winner.sessionId, expiresAt: winner.expiresAt.toISOString() };
      }
      return { url: created.url, sessionId: created.sessionId, expiresAt: created.expiresAt.toISOString() };
    },

    /**
     * The organizer received the money outside Stampede (cash, transfer). Idempotent: the
     * manual payment's id is derived from the registration, so a repeat settles nothing new.
     */
    async markPaid(
      actor: { userId: string; role: Role },
      registrationId: string,
    ): Promise<{ outcome: SettleOutcome; registration: RegistrationView }> {
      const registration = await registrationOrThrow(registrationId);
      if (actor.role !== 'admin' && (await events.get(registration.eventId)).createdBy !== actor.userId) {
        throw new AppError('FORBIDDEN', 'Only the organizer of this event or an admin can mark it paid');
      }
      if (registration.paymentStatus === 'paid') return { outcome: 'already-paid', registration };
      if (!['held', 'expired', 'cancelled'].includes(registration.status) || !UNPAID.has(registration.paymentStatus)) {
        throw new AppError('INVALID_STATE', `A ${registration.status} registration with payment ${registration.paymentStatus} cannot be marked paid`);
      }
      // Otherwise the entrant could still pay the open session too.
      await expireOpenCheckout(registrationId);
      return settle({
        registrationId,
        provider: 'manual',
        externalId: `manual-${registrationId}`,
        amountCents: registration.event.priceCents,
        currency: registration.event.currency,
      });
    },

    /**
     * Verifies and stores a delivery, queues its processing, and answers. A redelivery of a
     * processed event changes nothing; one whose job is still queued hits the job-id dedupe.
     */
    async receiveWebhook(providerName: 'stripe', rawBody: Buffer, headers: IncomingHttpHeaders): Promise<{ received: true; duplicate: boolean }> {
      const receiver = providers[providerName];
      if (!receiver) throw new AppError('NOT_FOUND', `${providerName} payments are not configured on this server`);
      const event = receiver.parseWebhook(rawBody, headers);
      if (event.kind === 'ignored') return { received: true, duplicate: false };
      const { inserted, processed } = await store.recordWebhook(providerName, event.eventId, event.kind, { ...event });
      // Re-adding a queued job is a no-op by id; it matters when the first enqueue was lost.
      if (!processed) await enqueueWebhook(providerName, event);
      return { received: true, duplicate: !inserted };
    },
  };
}

export type PaymentsService = ReturnType<typeof createPaymentsService>;
