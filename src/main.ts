#!/usr/bin/env node
// The `stampede` command.
import { Command, InvalidArgumentError } from 'commander';
import { ConfigError, loadConfig, loadDotEnv, type Config } from './config.js';
import { CliError } from './cli/errors.js';
import { DataDirInUseError, DataDirUnsafeError } from './platform/db/data-dir.js';
import { VERSION } from './version.js';

// Commands load their modules on use: `--help` and `verify-draw` need neither the server nor a
// database driver, so they start in a fraction of the time.

function wholeNumber(min: number, max: number) {
  return (value: string) => {
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
    }
    return Number(value);
  };
}

function config(overrides: Record<string, string | undefined> = {}): Config {
  loadDotEnv();
  return loadConfig({ ...process.env, ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) });
}

const program = new Command('stampede')
  .description(
    'Stampede: a self-hostable real-time competition server (registration rushes, live trivia, polls and leaderboards).\n' +
      'Settings come from the environment or a .env file; see docs/configuration.md.',
  )
  .version(VERSION)
  .showHelpAfterError();

program
  .command('start')
  .description('Serve the API, the realtime gateway and /docs. Applies migrations first.')
  .option('-p, --port <port>', 'port to listen on (overrides PORT)', wholeNumber(0, 65535))
  .option(
    '-w, --workers <n>',
    'worker processes sharing the port (node:cluster); more than 1 needs REDIS_URL and DATABASE_URL',
    wholeNumber(1, 64),
    1,
  )
  .action(async (options: { port?: number; workers: number }) => {
    const { start } = await import('./cli/start.js');
    await start(config({ PORT: options.port?.toString() }), options.workers);
  });

program
  .command('migrate')
  .description('Apply pending database migrations to DATABASE_URL (or the embedded PGlite in STAMPEDE_DATA_DIR) and exit.')
  .action(async () => (await import('./cli/migrate.js')).migrate(config()));

const admin = program.command('admin').description('Manage administrator accounts.');
admin
  .command('create')
  .description('Create an admin account, or make the account with this email an admin with this password.')
  .requiredOption('--email <email>', 'the admin email address')
  .requiredOption('--password <password>', 'the admin password (8 to 128 characters)')
  .action(async (options: { email: string; password: string }) =>
    (await import('./cli/admin.js')).createAdmin(config(), options.email, options.password),
  );

program
  .command('backup')
  .description(
    'Write a backup of the database to <file>: pg_dump custom format on PostgreSQL (safe while serving), ' +
      'a data-dir dump on the embedded PGlite (stop the server first). See docs/operations.md.',
  )
  .argument('<file>', 'where to write the backup')
  .action(async (file: string) => (await import('./cli/backup.js')).backup(config(), file));

program
  .command('restore')
  .description('Restore a backup made by `stampede backup` into an empty database (DATABASE_URL) or a new STAMPEDE_DATA_DIR.')
  .argument('<file>', 'the backup to restore')
  .action(async (file: string) => (await import('./cli/backup.js')).restore(config(), file));

program
  .command('verify-draw')
  .description(
    'Recompute a published lottery or pre-queue proof (a JSON file, or the URL of GET /api/events/:id/lottery/proof) ' +
      'and check it independently of the server. Exits 0 when it holds, 1 when it does not, 2 when the input is unreadable.',
  )
  .argument('<file-or-url>', 'path to a proof JSON file, or an http(s) URL serving one')
  .option('--winners <k>', 'print the first k ids of the order as the winners (the event capacity)', wholeNumber(0, 10_000_000))
  .action(async (source: string, options: { winners?: number }) => {
    const { verifyDraw } = await import('./cli/verify-draw.js');
    if (!(await verifyDraw(source, options))) process.exitCode = 1;
  });

program.parseAsync().catch((error: unknown) => {
  // Problems of setup and environment: one line that says what to do, no stack.
  if (error instanceof ConfigError || error instanceof CliError || error instanceof DataDirInUseError || error instanceof DataDirUnsafeError) {
    console.error(`stampede: ${error.message}`);
    process.exit(2);
  }
  console.error(error);
  process.exit(1);
});
