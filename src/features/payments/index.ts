// The payments feature: providers chosen from the config, checkout and mark-paid, webhooks and
// refunds as durable jobs. It settles registrations through the events feature's service.
import type { Logger } from 'pino';
import type { PaymentsConfig } from '../../config.js';
import type { Db } from '../../platform/db/client.js';
import type { JobQueue } from '../../platform/jobs/port.js';
import type { Metrics } from '../../platform/metrics.js';
import type { Feature } from '../feature.js';
import { startPaymentJobs } from './jobs.js';
import { manualProvider } from './manual.js';
import type { PaymentProvider } from './provider.js';
import { paymentsRoutes } from './routes.js';
import { createPaymentsService, type EventsForPayments, type PaymentsService } from './service.js';
import { createPaymentsStore } from './store.js';
import { stripeProvider } from './stripe.js';

export interface PaymentsFeatureDeps {
  db: Db;
  jobs: JobQueue;
  metrics: Metrics;
  log: Logger;
  config: PaymentsConfig;
  /** The webhook route reads raw bytes itself, within the server's body limit. */
  bodyLimitBytes: number;
  events: EventsForPayments;
}

export function createPaymentsFeature(deps: PaymentsFeatureDeps): Feature<PaymentsService> {
  const { config, events, jobs, log } = deps;
  const manual = manualProvider();
  // Stripe is built only with its keys; a stored Stripe payment without them fails its refund
  // job loudly (dead-letter set) rather than being dropped.
  const stripe = config.stripe ? stripeProvider(config.stripe) : undefined;
  const providers: Partial<Record<PaymentProvider['name'], PaymentProvider>> = { manual, ...(stripe ? { stripe } : {}) };
  const store = createPaymentsStore(deps.db);
  const service = createPaymentsService({
    store,
    events,
    provider: config.provider === 'stripe' && stripe ? stripe : manual,
    providers,
    jobs,
    config,
    metrics: deps.metrics,
  });
  let background: ReturnType<typeof startPaymentJobs> | undefined;
  return {
    service,
    routes: paymentsRoutes(service, deps.bodyLimitBytes),
    start: async () => {
      background = startPaymentJobs({ service, store, events, jobs, config, log });
    },
    close: async () => background?.close(),
  };
}
