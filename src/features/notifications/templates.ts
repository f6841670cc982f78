// The notification mails: a subject, a text part and an HTML part, each with the event's
// details and a link back to the app.
import type { NotificationKind } from '../../domain/notifications.js';
import type { RegistrationView } from '../events/index.js';

export interface Mail {
  subject: string;
  text: string;
  html: string;
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!);

const money = (cents: number, currency: string) => `${(cents / 100).toFixed(2)} ${currency.toUpperCase()}`;

function lines(kind: NotificationKind, registration: RegistrationView): { subject: string; body: string[] } {
  const title = registration.event.title;
  switch (kind) {
    case 'registrationConfirmed':
      return { subject: `You're in: ${title}`, body: [`Your registration for ${title} is confirmed.`] };
    case 'waitlistPromoted':
      return {
        subject: `A spot opened up: ${title}`,
        body: [
          `You moved up from the waitlist of ${title}.`,
          registration.status === 'held'
            ? `Your spot is held until ${registration.holdExpiresAt}: complete your registration before then.`
            : 'Your spot is confirmed.',
        ],
      };
    case 'holdExpiring':
      return {
        subject: `10 minutes left to keep your spot: ${title}`,
        body: [
          `Your held spot for ${title} expires at ${registration.holdExpiresAt}.`,
          'Complete your registration before then or the spot goes to the next person.',
        ],
      };
    case 'lotteryResult': {
      const won = registration.status === 'held' || registration.status === 'confirmed';
      const outcome = won
        ? 'You won a spot'
        : registration.status === 'waitlisted'
          ? `You are on the waitlist (place ${registration.position ?? '?'})`
          : 'You did not win a spot this time';
      return { subject: `Lottery result: ${title}`, body: [`The draw for ${title} has run. ${outcome}.`] };
    }
    case 'refundIssued':
      return {
        subject: `Refund issued: ${title}`,
        body: [
          `Your payment for ${title}${registration.amountCents !== null ? ` (${money(registration.amountCents, registration.event.currency)})` : ''} has been refunded.`,
        ],
      };
  }
}

export function renderNotice(kind: NotificationKind, registration: RegistrationView, publicUrl: string): Mail {
  const { subject, body } = lines(kind, registration);
  const link = `${publicUrl}/events/${encodeURIComponent(registration.event.slug)}`;
  const text = `${body.join('\n\n')}\n\nEvent: ${registration.event.title}\nStatus: ${registration.status}\n\nOpen it: ${link}\n\nYou can turn these mails off in your settings.`;
  const html = [
    ...body.map((line) => `<p>${escapeHtml(line)}</p>`),
    `<p>Event: <strong>${escapeHtml(registration.event.title)}</strong><br>Status: ${escapeHtml(registration.status)}</p>`,
    `<p><a href="${escapeHtml(link)}">Open the event</a></p>`,
    '<p style="color:#666">You can turn these mails off in your settings.</p>',
  ].join('\n');
  return { subject, text, html };
}
