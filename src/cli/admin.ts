// `stampede admin create`: makes (or promotes) an admin account directly in the database, or,
// when a running server holds the embedded data dir, through that server's admin socket.
import type { Config } from '../config.js';
import { createAccountsService, type AccountsService } from '../features/accounts/service.js';
import { createAccountsStore } from '../features/accounts/store.js';
import { createPlatform } from '../platform/index.js';
import { createLogger } from '../platform/log.js';
import { DataDirInUseError } from '../platform/db/data-dir.js';
import { callAdminSocket, type AdminHandler } from './admin-socket.js';
import { CliError } from './errors.js';

export async function createAdmin(config: Config, email: string, password: string): Promise<void> {
  if (!/^[^@\s]+@[^@\s]+$/.test(email)) throw new CliError(`--email: "${email}" is not an email address`);
  if (password.length < 8 || password.length > 128) throw new CliError('--password must be 8 to 128 characters');
  let platform;
  try {
    platform = await createPlatform(config, createLogger('error'));
  } catch (error) {
    if (!(error instanceof DataDirInUseError)) throw error;
    const reply = await callAdminSocket(config.dataDir, { command: 'admin-create', email, password });
    if (!reply) throw error;
    if (!reply.ok) throw new CliError(reply.error);
    console.log(`${reply.message}, through the server running on this data dir`);
    return;
  }
  try {
    // Tokens are not issued here; the admin logs in through the API.
    const accounts = createAccountsService(createAccountsStore(platform.database.db), platform.cache, () => '', config.passwordHashCost);
    console.log(await adminCommands(accounts)({ command: 'admin-create', email, password }));
  } finally {
    await platform.close();
  }
}

/** What the admin socket of a running server carries out, and this command does directly. */
export function adminCommands(accounts: Pick<AccountsService, 'ensureAdmin'>): AdminHandler {
  return async (request) => {
    if (request.command !== 'admin-create') throw new Error(`unknown admin command ${String(request.command)}`);
    const { user, created } = await accounts.ensureAdmin(request.email, request.password);
    return `${created ? 'Created' : 'Updated'} admin ${user.email} (id ${user.id})`;
  };
}
