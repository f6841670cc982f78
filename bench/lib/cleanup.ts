// Everything the bench starts registers its teardown here, so a finished run, a thrown error
// and Ctrl-C all leave no servers, databases or temp dirs behind.
type Teardown = () => Promise<void> | void;

const teardowns: Teardown[] = [];
let running: Promise<void> | undefined;

export function onCleanup(teardown: Teardown): void {
  teardowns.push(teardown);
}

/** Runs every teardown once, newest first (the server before the database it uses). */
export function cleanup(): Promise<void> {
  running ??= (async () => {
    for (const teardown of teardowns.reverse()) {
      try {
        await teardown();
      } catch (error) {
        console.error('bench: cleanup step failed:', error);
      }
    }
  })();
  return running;
}

/** On SIGINT/SIGTERM: tear down, then exit with the conventional 128 + signal number. */
export function cleanUpOnSignals(): void {
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.once(signal, () => {
      console.error(`\nbench: ${signal}, stopping the servers`);
      void cleanup().finally(() => process.exit(code));
    });
  }
}
