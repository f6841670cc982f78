/** A usage or environment problem the CLI reports in one line and exits 2 for. */
export class CliError extends Error {
  override name = 'CliError';
}
