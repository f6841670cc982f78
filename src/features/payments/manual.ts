// The manual provider: money changes hands outside Stampede (cash, bank transfer). Organizers
// mark registrations paid; a refund is recorded in the ledger for the organizer to pay back.
import { AppError } from '../../errors.js';
import type { PaymentProvider } from './provider.js';

export function manualProvider(): PaymentProvider {
  return {
    name: 'manual',
    async createCheckout() {
      throw new AppError('INVALID_STATE', 'Payments are manual here: the organizer marks your registration paid');
    },
    async expireCheckout() {
      // No sessions exist, so there is nothing to expire.
    },
    async refund({ paymentRef }) {
      // Deterministic, so a retried refund finds the same ledger row.
      return { refundId: `manual-refund-${paymentRef}` };
    },
    parseWebhook() {
      throw new AppError('WEBHOOK_SIGNATURE_INVALID', 'The manual provider takes no webhooks');
    },
  };
}
