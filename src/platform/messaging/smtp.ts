// Email adapter: SMTP through nodemailer. A 5xx reply is a permanent refusal; connection
// failures and 4xx (greylisting, a full mailbox for now) are worth another try.
import nodemailer from 'nodemailer';
import { DeliveryError, type ChannelAdapter, type EmailMessage } from './port.js';

export function smtpAdapter(smtpUrl: string | undefined, from: string): ChannelAdapter<EmailMessage> {
  const transport = smtpUrl ? nodemailer.createTransport(smtpUrl) : undefined;
  return {
    configured: !!transport,
    async deliver({ to, subject, text, html }) {
      if (!transport) throw new DeliveryError('SMTP_URL is not set', false);
      try {
        const info = await transport.sendMail({ from, to, subject, text, html });
        return info.messageId;
      } catch (error) {
        const responseCode = (error as { responseCode?: number }).responseCode;
        throw new DeliveryError(`smtp: ${(error as Error).message}`, !(responseCode !== undefined && responseCode >= 500));
      }
    },
    close: async () => transport?.close(),
  };
}
