// The notifications feature: mails about registrations (confirmed, promoted, hold expiring,
// lottery result, refund), each switchable in the user's settings. It has no routes of its own:
// the switches live in PUT /api/me/settings.
import type { Feature } from '../feature.js';
import { createNotificationsService, type NotificationsDeps, type NotificationsService } from './service.js';

export function createNotificationsFeature(deps: NotificationsDeps): Feature<NotificationsService> {
  const service = createNotificationsService(deps);
  return { service, routes: async () => undefined, close: () => service.idle() };
}
