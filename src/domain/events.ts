// The states of events, registrations and their payments, shared by the events and payments features and the schema.

export const EVENT_MODES = ['fcfs', 'lottery'] as const;
export type EventMode = (typeof EVENT_MODES)[number];

/**
 * What has been done to the event, not what the clock says: `pending` follows opensAt/closesAt,
 * `open` and `closed` are explicit (a transition ran or the organizer acted), `drawn` is final.
 */
export const EVENT_STATES = ['pending', 'open', 'closed', 'drawn'] as const;
export type EventState = (typeof EVENT_STATES)[number];

export const REGISTRATION_STATUSES = ['entered', 'held', 'confirmed', 'waitlisted', 'expired', 'cancelled'] as const;
export type RegistrationStatus = (typeof REGISTRATION_STATUSES)[number];

export const PAYMENT_STATUSES = ['none', 'pending', 'paid', 'refund_pending', 'refunded'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

/** Who an event admits, beyond being signed in. */
export interface EventSettings {
  /** Guest accounts (no email, no password) may register. */
  allowGuests: boolean;
  /**
   * Only accounts with a verified email may register. Accounts do not verify emails yet, so
   * today this admits every account that has an email: all but guests.
   */
  requireVerifiedEmail: boolean;
}

export const DEFAULT_EVENT_SETTINGS: EventSettings = { allowGuests: true, requireVerifiedEmail: false };
