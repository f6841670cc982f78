// What other features call: payments settles and refunds registrations and follows their
// changes; scoring checks entrants and events and counts the open ones.
import { isUuid } from '../../domain/ids.js';
import { AppError } from '../../errors.js';
import type { EventsContext } from './context.js';
import type { RegistrationListener } from './live.js';
import { markRefunded, settlePayment, type PaymentInput, type SettleOutcome } from './settlement.js';
import type { RegistrationView } from './views.js';

export function createHooks({ stores, run, live, registrationView }: EventsContext) {
  return {
    async getRegistration(id: string): Promise<RegistrationView | undefined> {
      if (!isUuid(id)) return undefined;
      const row = await stores.registrations.findById(id);
      return row ? registrationView(row) : undefined;
    },

    async settlePayment(input: PaymentInput): Promise<{ outcome: SettleOutcome; registration: RegistrationView }> {
      if (!isUuid(input.registrationId)) throw new AppError('NOT_FOUND', 'No such registration');
      const { outcome, registration } = await run((unit) => settlePayment(unit, stores, input, `payment:${input.provider}`));
      return { outcome, registration: await registrationView(registration) };
    },

    async markRefunded(registrationId: string, refundId: string): Promise<void> {
      if (!isUuid(registrationId)) throw new AppError('NOT_FOUND', 'No such registration');
      await run((unit) => markRefunded(unit, stores, registrationId, refundId, 'payments'));
    },

    async pendingRefunds(): Promise<RegistrationView[]> {
      return Promise.all((await stores.registrations.refundPending()).map((row) => registrationView(row)));
    },

    onRegistrationChanged(listener: RegistrationListener): void {
      live.onRegistrationChanged(listener);
    },

    async isConfirmedEntrant(eventId: string, userId: string): Promise<boolean> {
      if (!isUuid(eventId) || !isUuid(userId)) return false;
      return (await stores.registrations.findByUser(eventId, userId))?.status === 'confirmed';
    },

    /** Home stats: events open for registration right now. */
    countActiveEvents: () => stores.events.countOpen(new Date()),

    async eventExists(eventId: string): Promise<boolean> {
      return isUuid(eventId) && (await stores.events.findEvent(eventId))?.id === eventId;
    },

    async eventOrganizer(eventId: string): Promise<string | undefined> {
      if (!isUuid(eventId)) return undefined;
      const event = await stores.events.findEvent(eventId);
      return event?.id === eventId ? event.createdBy : undefined;
    },
  };
}
