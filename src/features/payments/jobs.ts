// The payment work that must not be lost: processing webhook events, refunding, and expiring
// sessions whose hold ended. Each runs as a job (attempts with backoff, then the dead-letter
// set at /api/admin/jobs/failed). A sweep re-enqueues what a restart of the in-memory queue
// dropped: pending refunds and unprocessed webhook events are read back from the database.
import type { Logger } from 'pino';
import type { PaymentsConfig } from '../../config.js';
import type { JobQueue } from '../../platform/jobs/port.js';
import type { WebhookEvent } from './provider.js';
import { JOB, jobIds, type EventsForPayments, type PaymentsService } from './service.js';
import type { PaymentsStore } from './store.js';

/** A webhook younger than this may still have its job on the way; the sweep leaves it alone. */
const WEBHOOK_SWEEP_AGE_MS = 30_000;
const SWEEP_BATCH = 500;

export interface PaymentJobsDeps {
  service: PaymentsService;
  store: PaymentsStore;
  events: EventsForPayments;
  jobs: JobQueue;
  config: PaymentsConfig;
  log: Logger;
}

export function startPaymentJobs(deps: PaymentJobsDeps): { close(): Promise<void> } {
  const { service, store, events, jobs, config, log } = deps;

  async function processPayment(providerName: string, event: Extract<WebhookEvent, { kind: 'payment' }>): Promise<void> {
    const registration = await events.getRegistration(event.registrationId);
    if (!registration) {
      // Not ours to settle (another system on the same Stripe account, or a deleted event).
      log.error({ event }, 'payment received for an unknown registration; refund it from the provider dashboard');
      return;
    }
    const { outcome } = await service.settle({
      registrationId: event.registrationId,
      provider: providerName,
      externalId: event.paymentRef,
      amountCents: event.amountCents,
      currency: event.currency,
    });
    await store.setCheckoutStatus(event.sessionId, 'completed');
    log.info({ registrationId: event.registrationId, outcome }, 'payment settled');
  }

  jobs.handle(JOB.webhook, async (data) => {
    const { provider, event } = data as { provider: string; event: WebhookEvent };
    if (event.kind === 'payment') await processPayment(provider, event);
    else if (event.kind === 'checkout-expired') await store.setCheckoutStatus(event.sessionId, 'expired');
    await store.markWebhookProcessed(provider, event.eventId);
  });

  /**
   * Pays one charge back unless it is the payment of a registration that is still paid. Safe
   * to run any number of times: the ledger allows one refund per charge, and the provider
   * gets the same idempotency key on every try.
   */
  jobs.handle(JOB.refund, async (data) => {
    const { chargeId } = data as { chargeId: string };
    const charge = await store.charge(chargeId);
    if (!charge) throw new Error(`no charge ${chargeId} in the ledger`);
    const registration = await events.getRegistration(charge.registrationId);
    if (registration?.paymentStatus === 'paid' && charge.attached) return;
    // Its settlement has not run yet; it decides, and this retry then sees the result.
    if (!charge.settledAt) throw new Error(`charge ${chargeId} is not settled yet`);
    let refund = await store.refundOf(charge.id);
    if (!refund) {
      const idempotencyKey = `refund-${charge.id}`;
      const { refundId } = await service
        .providerFor(charge.provider)
        .refund({ paymentRef: charge.externalId, amountCents: charge.amountCents, idempotencyKey });
      refund = await store.recordRefund(charge, refundId, idempotencyKey);
      log.info({ registrationId: charge.registrationId, refundId, provider: charge.provider }, 'payment refunded');
    }
    if (registration?.paymentStatus === 'refund_pending' && (await allRefunded(registration.id))) {
      await events.markRefunded(registration.id, refund.externalId);
    }
  });

  async function allRefunded(registrationId: string): Promise<boolean> {
    for (const charge of await store.charges(registrationId)) if (!(await store.refundOf(charge.id))) return false;
    return true;
  }

  jobs.handle(JOB.expireCheckout, async (data) => {
    await service.expireOpenCheckout((data as { registrationId: string }).registrationId);
  });

  /** Every settled charge of a registration awaiting its refund; unsettled ones are queued by their settlement. */
  async function refundRegistration(registrationId: string): Promise<void> {
    const charges = (await store.charges(registrationId)).filter((charge) => charge.settledAt);
    if (charges.length === 0) log.error({ registrationId }, 'registration awaits a refund but no charge is recorded for it');
    for (const charge of charges) await service.enqueueRefund(charge.id);
  }

  const retry = { attempts: config.retryAttempts, backoffMs: config.retryBackoffMs };
  events.onRegistrationChanged(({ registration, previousStatus, previousPaymentStatus }) => {
    const queued: Array<Promise<unknown>> = [];
    if (registration.paymentStatus === 'refund_pending' && previousPaymentStatus !== 'refund_pending') {
      queued.push(refundRegistration(registration.id));
    }
    if (previousStatus === 'held' && (registration.status === 'expired' || registration.status === 'cancelled')) {
      // The hold is gone, so its session must stop taking money (Stripe keeps it 30 min at least).
      queued.push(jobs.add(JOB.expireCheckout, { registrationId: registration.id }, retry));
    }
    // The sweep picks refunds up later if the queue is unreachable right now.
    for (const job of queued) job.catch((error) => log.warn({ err: error, registrationId: registration.id }, 'could not queue payment work'));
  });

  async function sweep(): Promise<void> {
    for (const registration of await events.pendingRefunds()) await refundRegistration(registration.id);
    for (const charge of await store.detachedUnrefunded(SWEEP_BATCH)) await service.enqueueRefund(charge.id);
    const stale = await store.unprocessedWebhooks(new Date(Date.now() - WEBHOOK_SWEEP_AGE_MS), SWEEP_BATCH);
    for (const row of stale) {
      await jobs.add(JOB.webhook, { provider: row.provider, event: row.payload }, { jobId: jobIds.webhook(row.provider, row.eventId), ...retry });
    }
  }

  let sweeping: Promise<void> = Promise.resolve();
  const runSweep = () => {
    sweeping = sweep().catch((error) => log.warn({ err: error }, 'payment sweep failed; retrying at the next interval'));
  };
  runSweep();
  const timer = setInterval(runSweep, config.sweepMs);
  timer.unref();

  return {
    async close() {
      clearInterval(timer);
      await sweeping;
    },
  };
}
