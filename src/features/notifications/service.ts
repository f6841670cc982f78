// Notifications: registration changes (through the events feature's listener hook) become
// mails through the messaging port, if the user wants that kind and has an address. The
// hold reminder is a delayed job that re-reads the registration when it comes due.
import type { Logger } from 'pino';
import type { NotificationKind } from '../../domain/notifications.js';
import type { JobQueue } from '../../platform/jobs/port.js';
import type { Messenger } from '../../platform/messaging/port.js';
import type { AccountsService } from '../accounts/index.js';
import type { EventsService, RegistrationView } from '../events/index.js';
import { noticeFor } from './rules.js';
import { renderNotice } from './templates.js';

export const HOLD_REMINDER_JOB = 'notify.hold-expiring';
export const HOLD_REMINDER_LEAD_MS = 10 * 60 * 1000;

export interface NotificationsDeps {
  events: Pick<EventsService, 'onRegistrationChanged' | 'getRegistration'>;
  accounts: Pick<AccountsService, 'account' | 'wantsNotification'>;
  messenger: Messenger;
  jobs: JobQueue;
  publicUrl: string;
  log: Logger;
  now?: () => number;
}

export function createNotificationsService({ events, accounts, messenger, jobs, publicUrl, log, now = Date.now }: NotificationsDeps) {
  // Notices being queued, so that shutdown (and a test) can wait for them.
  const pending = new Set<Promise<unknown>>();

  async function notify(kind: NotificationKind, registration: RegistrationView, key: string): Promise<void> {
    if (!(await accounts.wantsNotification(registration.userId, kind))) return;
    const email = (await accounts.account(registration.userId))?.email;
    if (!email) return;
    await messenger.send({ channel: 'email', to: email, ...renderNotice(kind, registration, publicUrl) }, { key });
  }

  /** Due 10 minutes before the hold ends (at once if less is left), and only if that hold is still on. */
  async function scheduleHoldReminder(registration: RegistrationView): Promise<void> {
    const expiresAt = Date.parse(registration.holdExpiresAt!);
    await jobs.add(
      HOLD_REMINDER_JOB,
      { registrationId: registration.id, holdExpiresAt: registration.holdExpiresAt },
      { jobId: `hold-reminder-${registration.id}-${expiresAt}`, delayMs: Math.max(0, expiresAt - HOLD_REMINDER_LEAD_MS - now()) },
    );
  }

  jobs.handle(HOLD_REMINDER_JOB, async (data) => {
    const { registrationId, holdExpiresAt } = data as { registrationId: string; holdExpiresAt: string };
    const registration = await events.getRegistration(registrationId);
    if (registration?.status !== 'held' || registration.holdExpiresAt !== holdExpiresAt || Date.parse(holdExpiresAt) <= now()) return;
    await notify('holdExpiring', registration, `notice-holdExpiring-${registrationId}-${Date.parse(holdExpiresAt)}`);
  });

  events.onRegistrationChanged((change) => {
    const { registration } = change;
    const kind = noticeFor(change);
    const work: Array<Promise<void>> = [];
    // Keyed by the change's time: each change is its own notice, a repeated one stays one.
    if (kind) work.push(notify(kind, registration, `notice-${kind}-${registration.id}-${registration.updatedAt.replace(/\D/g, '')}`));
    if (registration.status === 'held' && registration.holdExpiresAt && change.previousStatus !== 'held')
      work.push(scheduleHoldReminder(registration));
    // After commit and off the request: a lost notice is logged, never an error for the registrant.
    const queued = Promise.all(work)
      .catch((error) => log.warn({ err: error, registrationId: registration.id, kind }, 'could not queue a notification'))
      .finally(() => pending.delete(queued));
    pending.add(queued);
  });

  return {
    notify,
    /** Resolves once every notice of the changes seen so far is queued. */
    async idle(): Promise<void> {
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };
}

export type NotificationsService = ReturnType<typeof createNotificationsService>;
