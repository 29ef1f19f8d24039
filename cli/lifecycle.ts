// Runs a long-lived part until SIGINT/SIGTERM, then stops it (which flushes and closes) and exits.
export function stopOnSignals(stop: () => Promise<void>): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1); // a second Ctrl-C means "now"
    stopping = true;
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(`outpost: error while stopping after ${signal}: ${(err as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
