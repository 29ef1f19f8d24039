// `outpost scan [--json]`: this machine's inventory, with no server and no agent state.
import { setFlagsFromString } from 'node:v8';

/**
 * Prints `{"digest":...,"snapshot":...}` with the snapshot in its canonical form (compact, keys
 * sorted), so `sha256(snapshot as printed) == digest` and the bytes are not serialised twice; or,
 * without --json, a short summary.
 */
export async function scanCommand(opts: { json: boolean }): Promise<void> {
  // A one-shot process ends before V8's optimising compiler pays back: left on, it optimises the
  // parsers' hot loops and pages its own code in, ~4 MB of peak RSS for no time saved
  // (bench/scan.mjs). V8 honours the flag for functions created after it is set, hence the
  // collectors are imported only now.
  setFlagsFromString('--no-opt');
  // Keep the young generation at its first size: a one-shot scan's garbage is short-lived anyway,
  // and growing the semi-spaces costs ~2 MB of peak RSS.
  setFlagsFromString('--semi-space-growth-factor=1');
  const { jsonReport, scanThisMachine, stderrLogger, summary } = await import('./scan-report.js');
  const report = await scanThisMachine(stderrLogger(process.env.OUTPOST_LOG_LEVEL === 'debug'));
  // `outpost scan --json | head` closes the pipe early; that is the reader's choice, not a failure.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
  process.stdout.write(opts.json ? `${jsonReport(report)}\n` : summary(report));
}
