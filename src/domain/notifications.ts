// The notifications a user can receive, each of which they can turn off in their settings.
export const NOTIFICATION_KINDS = ['registrationConfirmed', 'waitlistPromoted', 'holdExpiring', 'lotteryResult', 'refundIssued'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];
export type NotificationPreferences = Record<NotificationKind, boolean>;

export function preferencesFrom(off: readonly string[]): NotificationPreferences {
  return Object.fromEntries(NOTIFICATION_KINDS.map((kind) => [kind, !off.includes(kind)])) as NotificationPreferences;
}
