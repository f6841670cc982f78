// The accounts feature: sign-up, login, guests, roles and per-user settings.
import type { Cache } from '../../platform/cache/port.js';
import type { Db } from '../../platform/db/client.js';
import type { Feature } from '../feature.js';
import { accountsRoutes } from './routes.js';
import { createAccountsService, type AccountsService, type IssueToken } from './service.js';
import { createAccountsStore } from './store.js';

export interface AccountsDeps {
  db: Db;
  cache: Cache;
  /** Signs a session token; the HTTP layer owns the secret. */
  issueToken: IssueToken;
  /** log2 of scrypt's N for new password hashes. */
  passwordCost: number;
}

export function createAccountsFeature({ db, cache, issueToken, passwordCost }: AccountsDeps): Feature<AccountsService> {
  const service = createAccountsService(createAccountsStore(db), cache, issueToken, passwordCost);
  return { service, routes: accountsRoutes(service) };
}
