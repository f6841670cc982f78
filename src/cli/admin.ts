// `stampede admin create`: makes (or promotes) an admin account directly in the database.
import type { Config } from '../config.js';
import { createAccountsService } from '../features/accounts/service.js';
import { createAccountsStore } from '../features/accounts/store.js';
import { createPlatform } from '../platform/index.js';
import { createLogger } from '../platform/log.js';
import { CliError } from './errors.js';

export async function createAdmin(config: Config, email: string, password: string): Promise<void> {
  if (!/^[^@\s]+@[^@\s]+$/.test(email)) throw new CliError(`--email: "${email}" is not an email address`);
  if (password.length < 8 || password.length > 128) throw new CliError('--password must be 8 to 128 characters');
  const platform = await createPlatform(config, createLogger('error'));
  try {
    // Tokens are not issued here; the admin logs in through the API.
    const accounts = createAccountsService(createAccountsStore(platform.database.db), platform.cache, () => '');
    const { user, created } = await accounts.ensureAdmin(email, password);
    console.log(`${created ? 'Created' : 'Updated'} admin ${user.email} (id ${user.id})`);
  } finally {
    await platform.close();
  }
}
