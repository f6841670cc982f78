// The accounts feature: sign-up, login, guests, roles and per-user settings.
import type { Cache } from '../../platform/cache/port.js';
import type { Db } from '../../platform/db/client.js';
import type { Messenger } from '../../platform/messaging/port.js';
import type { Feature } from '../feature.js';
import { createEmailLinks } from './email-link.js';
import { accountsRoutes } from './routes.js';
import { createAccountsService, type AccountsService, type IssueToken } from './service.js';
import { createAccountsStore } from './store.js';

export type { AccountsService } from './service.js';

export interface AccountsDeps {
  db: Db;
  cache: Cache;
  /** Signs a session token; the HTTP layer owns the secret. */
  issueToken: IssueToken;
  /** log2 of scrypt's N for new password hashes. */
  passwordCost: number;
  /** Sends sign-in links by email. */
  messenger: Messenger;
  publicUrl: string;
}

export function createAccountsFeature({ db, cache, issueToken, passwordCost, messenger, publicUrl }: AccountsDeps): Feature<AccountsService> {
  const store = createAccountsStore(db);
  const service = createAccountsService(store, cache, issueToken, passwordCost);
  const links = createEmailLinks({ store, messenger, publicUrl, issueToken });
  return { service, routes: accountsRoutes(service, links) };
}
