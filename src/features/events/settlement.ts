// Payments as the events feature sees them: a settled payment confirms a hold (or a lapsed hold
// when a spot is free), and anything it cannot confirm is marked refund_pending in the same
// transaction, so a payment is never silently kept. The payments feature owns providers and
// refunds; it calls these and listens to the registration changes.
import { AppError } from '../../errors.js';
import { recordMoves } from './holds.js';
import { freeSpots } from './rules.js';
import type { EventRow, RegistrationRow, RegistrationUpdate } from './store.js';
import type { Stores, Unit } from './unit.js';

export interface PaymentInput {
  registrationId: string;
  provider: string;
  externalId: string;
  amountCents: number;
  currency: string;
}

export type SettleOutcome = 'confirmed' | 'already-paid' | 'refund';

async function lockRegistration(unit: Unit, stores: Stores, registrationId: string): Promise<RegistrationRow> {
  const unlocked = await stores.registrations.findById(registrationId, unit.tx);
  if (!unlocked) throw new AppError('NOT_FOUND', 'No such registration');
  // The event row first, like every other writer, then the registration.
  await unit.lock(unlocked.eventId);
  return (await stores.registrations.lockById(unit.tx, registrationId))!;
}

/**
 * One transaction. Held (or confirmed) -> confirmed and paid; expired or cancelled -> confirmed
 * when a spot is free (a late payment), otherwise refund_pending. Replays of the same provider
 * payment change nothing. A payment the registration cannot take (a wrong amount, a second
 * payment, a waitlisted or lottery entry) leaves it untouched, is audited, and answers
 * 'refund': the caller refunds that payment from its own ledger.
 */
export async function settlePayment(
  unit: Unit,
  stores: Stores,
  input: PaymentInput,
  actor: string,
): Promise<{ outcome: SettleOutcome; registration: RegistrationRow }> {
  const registration = await lockRegistration(unit, stores, input.registrationId);
  if (registration.paymentProvider === input.provider && registration.paymentRef === input.externalId) {
    return { outcome: registration.paymentStatus === 'paid' ? 'already-paid' : 'refund', registration };
  }
  const event = unit.event(registration.eventId);
  const payment = { provider: input.provider, externalId: input.externalId, amountCents: input.amountCents, currency: input.currency };
  const refused = refusal(registration, event, input);
  if (refused) {
    unit.audit(registration.eventId, actor, 'payment.refused', {
      registrationId: registration.id,
      userId: registration.userId,
      reason: refused,
      ...payment,
    });
    return { outcome: 'refund', registration };
  }
  const columns = { paymentProvider: input.provider, paymentRef: input.externalId, amountCents: input.amountCents, paidAt: unit.now };
  const late = registration.status === 'expired' || registration.status === 'cancelled';
  const confirmable = !late || freeSpots(event) > 0;
  const set: RegistrationUpdate = confirmable
    ? { ...columns, status: 'confirmed', statusReason: null, holdExpiresAt: null, paymentStatus: 'paid' }
    : { ...columns, paymentStatus: 'refund_pending' };
  const after = await stores.registrations.update(unit.tx, registration.id, set);
  recordMoves(
    unit,
    actor,
    after.eventId,
    [{ before: registration, after }],
    !confirmable ? 'payment_without_spot' : late ? 'late_payment' : 'payment',
    payment,
  );
  return { outcome: confirmable ? 'confirmed' : 'refund', registration: after };
}

/** Why this payment cannot be applied to the registration at all, if it cannot. */
function refusal(registration: RegistrationRow, event: Pick<EventRow, 'priceCents' | 'currency'>, input: PaymentInput): string | undefined {
  // One live payment per registration; an older one's pending refund keeps its reference.
  if (registration.paymentStatus === 'paid' || registration.paymentStatus === 'refund_pending') return 'already_has_payment';
  if (input.amountCents < event.priceCents || input.currency.toUpperCase() !== event.currency.toUpperCase()) return 'amount_mismatch';
  if (registration.status === 'waitlisted' || registration.status === 'entered') return 'no_spot_offered';
  return undefined;
}

/** Records a completed refund; refunding twice is a no-op. */
export async function markRefunded(unit: Unit, stores: Stores, registrationId: string, refundId: string, actor: string): Promise<RegistrationRow> {
  const registration = await lockRegistration(unit, stores, registrationId);
  if (registration.paymentStatus === 'refunded') return registration;
  if (registration.paymentStatus !== 'refund_pending') {
    throw new AppError('INVALID_STATE', `Registration ${registrationId} has no pending refund (payment status ${registration.paymentStatus})`);
  }
  const after = await stores.registrations.update(unit.tx, registration.id, { paymentStatus: 'refunded' });
  unit.audit(after.eventId, actor, 'payment.refunded', { registrationId, userId: after.userId, refundId, amountCents: after.amountCents });
  unit.changed(after, registration);
  return after;
}
