import { describe, expect, it } from 'vitest';
import type { RegistrationChange } from '../events/index.js';
import { noticeFor } from './rules.js';

const change = (previousStatus: string | null, status: string, previousPaymentStatus = 'none', paymentStatus = 'none') =>
  ({ registration: { status, paymentStatus }, previousStatus, previousPaymentStatus }) as unknown as RegistrationChange;

describe('noticeFor', () => {
  it('names the notice each change deserves', () => {
    expect(noticeFor(change(null, 'confirmed'))).toBe('registrationConfirmed');
    expect(noticeFor(change('held', 'confirmed'))).toBe('registrationConfirmed');
    expect(noticeFor(change('waitlisted', 'held'))).toBe('waitlistPromoted');
    expect(noticeFor(change('waitlisted', 'confirmed'))).toBe('waitlistPromoted');
    expect(noticeFor(change('entered', 'held'))).toBe('lotteryResult');
    expect(noticeFor(change('entered', 'waitlisted'))).toBe('lotteryResult');
    expect(noticeFor(change('entered', 'cancelled'))).toBe('lotteryResult');
    expect(noticeFor(change('confirmed', 'cancelled', 'paid', 'refunded'))).toBe('refundIssued');
  });

  it('stays quiet for changes that are not news', () => {
    expect(noticeFor(change(null, 'held'))).toBeUndefined();
    expect(noticeFor(change(null, 'waitlisted'))).toBeUndefined();
    expect(noticeFor(change('held', 'expired'))).toBeUndefined();
    expect(noticeFor(change('confirmed', 'confirmed', 'refunded', 'refunded'))).toBeUndefined();
  });
});
