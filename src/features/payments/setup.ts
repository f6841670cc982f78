// Assembles payments from the platform and the events service: providers from the config,
// the service, its jobs and sweep, and the routes. server.ts wires this in one call.
import type { Platform } from '../../platform/index.js';
import type { Role } from '../../platform/db/schema.js';
import { manualProvider } from './manual.js';
import type { PaymentProvider } from './provider.js';
import { startPaymentJobs } from './jobs.js';
import { paymentsRoutes } from './routes.js';
import { createPaymentsService, type EventsForPayments } from './service.js';
import { createPaymentsStore } from './store.js';
import { stripeProvider } from './stripe.js';

export function createPayments(platform: Platform, events: EventsForPayments, currentRole: (userId: string) => Promise<Role | undefined>) {
  const { config, jobs, log, metrics } = platform;
  const manual = manualProvider();
  // Stripe is built only with its keys; a stored Stripe payment without them fails its refund
  // job loudly (dead-letter set) rather than being dropped.
  const stripe = config.payments.stripe ? stripeProvider(config.payments.stripe) : undefined;
  const providers: Partial<Record<PaymentProvider['name'], PaymentProvider>> = { manual, ...(stripe ? { stripe } : {}) };
  const store = createPaymentsStore(platform.database.db);
  const service = createPaymentsService({
    store,
    events,
    provider: config.payments.provider === 'stripe' && stripe ? stripe : manual,
    providers,
    jobs,
    config: config.payments,
    metrics,
  });
  const background = startPaymentJobs({ service, store, events, jobs, config: config.payments, log });
  return {
    service,
    routes: paymentsRoutes(service, currentRole, config.bodyLimitBytes),
    close: background.close,
  };
}

export type Payments = ReturnType<typeof createPayments>;
