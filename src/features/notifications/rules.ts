// Which notification a registration change deserves, if any. Pure.
import type { NotificationKind } from '../../domain/notifications.js';
import type { RegistrationChange } from '../events/index.js';

const HAS_SPOT = new Set(['held', 'confirmed']);

export function noticeFor({ registration, previousStatus, previousPaymentStatus }: RegistrationChange): NotificationKind | undefined {
  if (registration.paymentStatus === 'refunded' && previousPaymentStatus !== 'refunded') return 'refundIssued';
  if (registration.status === previousStatus) return undefined;
  // A draw moves an entry on to its outcome, whatever that is.
  if (previousStatus === 'entered') return 'lotteryResult';
  if (previousStatus === 'waitlisted' && HAS_SPOT.has(registration.status)) return 'waitlistPromoted';
  if (registration.status === 'confirmed') return 'registrationConfirmed';
  return undefined;
}
