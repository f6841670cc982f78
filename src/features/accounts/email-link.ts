// Passwordless sign-in: a one-time link by email, valid 15 minutes, good once. Only the
// SHA-256 of the token is stored. The request answers the same whether or not the address
// belongs to an account, so it cannot be used to find out who has one.
import { createHash, randomBytes } from 'node:crypto';
import { AppError } from '../../errors.js';
import type { Messenger } from '../../platform/messaging/port.js';
import { normalizeEmail, sessionFor, type IssueToken, type Session } from './service.js';
import type { AccountsStore } from './store.js';

export const EMAIL_LINK_TTL_MS = 15 * 60 * 1000;

export interface EmailLinkDeps {
  store: AccountsStore;
  messenger: Messenger;
  /** Where the web app lives; the link is `<publicUrl>/sign-in/email?token=…`. */
  publicUrl: string;
  issueToken: IssueToken;
  now?: () => Date;
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

function linkMail(link: string) {
  return {
    subject: 'Your Stampede sign-in link',
    text: `Sign in to Stampede by opening this link within 15 minutes:\n\n${link}\n\nIt works once. If you did not ask for it, ignore this mail.`,
    html: `<p>Sign in to Stampede by opening this link within 15 minutes:</p><p><a href="${link}">Sign in</a></p><p>It works once. If you did not ask for it, ignore this mail.</p>`,
  };
}

export function createEmailLinks({ store, messenger, publicUrl, issueToken, now = () => new Date() }: EmailLinkDeps) {
  return {
    /** Sends a one-time sign-in link if the address has an account; the caller's answer never says. */
    async requestEmailLink(input: { email: string }): Promise<void> {
      const email = normalizeEmail(input.email);
      const at = now();
      await store.deleteExpiredEmailLinks(at);
      const user = await store.findByEmail(email);
      if (!user || user.isGuest) return;
      const token = randomBytes(32).toString('base64url');
      const tokenHash = hashToken(token);
      await store.insertEmailLink(tokenHash, user.id, new Date(at.getTime() + EMAIL_LINK_TTL_MS));
      const link = `${publicUrl}/sign-in/email?token=${token}`;
      await messenger.send({ channel: 'email', to: email, ...linkMail(link) }, { key: `email-link-${tokenHash.slice(0, 32)}` });
    },

    async verifyEmailLink({ token }: { token: string }): Promise<Session> {
      const userId = await store.useEmailLink(hashToken(token), now());
      const row = userId ? await store.findById(userId) : undefined;
      if (!row) throw new AppError('LINK_INVALID');
      return sessionFor(row, issueToken);
    },
  };
}

export type EmailLinks = ReturnType<typeof createEmailLinks>;
