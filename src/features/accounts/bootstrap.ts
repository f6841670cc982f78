// The admin account named by STAMPEDE_ADMIN_EMAIL and STAMPEDE_ADMIN_PASSWORD. Every instance
// runs this at start, often several at the same moment, so it only ever inserts: the first
// instance creates the account and the others find it. An existing account is never changed
// from the environment; `stampede admin create` is the way to reset its password.
import type { Logger } from 'pino';
import type { Database } from '../../platform/db/client.js';
import { withStartupLock } from '../../platform/db/migrate.js';
import { hashPassword, verifyPassword } from './password.js';
import { adminHandle, normalizeEmail } from './service.js';
import { createAccountsStore } from './store.js';

export type AdminBootstrap = 'created' | 'present' | 'differs';

export async function bootstrapAdmin(database: Database, email: string, password: string, log: Logger): Promise<AdminBootstrap> {
  const normalized = normalizeEmail(email);
  // Under the migrations' lock: the instances that wait find the account committed.
  const outcome = await withStartupLock(database, async (executor): Promise<AdminBootstrap> => {
    const store = createAccountsStore(executor);
    const existing = await store.findByEmail(normalized);
    if (existing) {
      const matches = existing.role === 'admin' && existing.passwordHash !== null && (await verifyPassword(password, existing.passwordHash));
      return matches ? 'present' : 'differs';
    }
    // ON CONFLICT as well: an instance of an older version may be creating it without the lock.
    const created = await store.insertIfAbsent({
      handle: adminHandle(),
      email: normalized,
      passwordHash: await hashPassword(password),
      role: 'admin',
    });
    return created ? 'created' : 'present';
  });
  if (outcome === 'created') log.info({ email: normalized }, 'created the admin account from STAMPEDE_ADMIN_EMAIL');
  if (outcome === 'differs') {
    log.warn(
      { email: normalized },
      'the account named by STAMPEDE_ADMIN_EMAIL exists with another password or role; it is left as it is. ' +
        'To reset it, run: stampede admin create --email <email> --password <password>',
    );
  }
  return outcome;
}
