import { errorMessage, releaseLibrarySignalHooks } from './embedded-postgres.js';

export type StopFn = () => unknown;

export interface ShutdownOptions {
  /** Defaults to SIGINT, SIGTERM and SIGHUP (a closed terminal should also shut down cleanly). */
  signals?: readonly NodeJS.Signals[];
  log?: (msg: string) => void;
  /** Replaceable for tests; defaults to process.exit. */
  exit?: (code: number) => void;
}

/**
 * On the first signal, runs the stop functions once, in order (a failing one is logged and the rest still run),
 * then exits with 0, or 1 if any failed. A second signal exits with 1 at once.
 * Returns a function that removes the handlers again.
 */
export function installShutdownHandlers(stopFns: readonly StopFn[], opts: ShutdownOptions = {}): () => void {
  const signals = opts.signals ?? ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const log = opts.log ?? ((msg: string) => console.log(msg));
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  let shuttingDown = false;

  const onSignal = (signal: NodeJS.Signals): void => {
    if (shuttingDown) {
      log(`Received ${signal} again; exiting without waiting for the shutdown to finish`);
      exit(1);
      return;
    }
    shuttingDown = true;
    log(`Received ${signal}; shutting down`);
    void (async () => {
      let code = 0;
      for (const stop of stopFns) {
        try {
          await stop();
        } catch (err) {
          code = 1;
          log(`Shutdown step failed: ${errorMessage(err)}`);
        }
      }
      exit(code);
    })();
  };

  // Otherwise embedded-postgres's own hook would stop the database and exit mid-way through our shutdown.
  const restoreLibraryHooks = releaseLibrarySignalHooks(signals);
  for (const signal of signals) process.on(signal, onSignal);
  return () => {
    for (const signal of signals) process.removeListener(signal, onSignal);
    restoreLibraryHooks();
  };
}
