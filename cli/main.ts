// `outpost` — one binary for the server, the agent and the tools around them.
import { isOutpostError } from '../shared/errors.js';

/**
 * `outpost scan [--json]` is the one command a fleet runs as a short-lived process (and the
 * inventory benchmark measures as a whole): it skips loading the command tree, ~3 MB of peak RSS.
 */
function isPlainScan(args: readonly string[]): boolean {
  return args[0] === 'scan' && args.slice(1).every((a) => a === '--json');
}

try {
  const args = process.argv.slice(2);
  if (isPlainScan(args)) {
    await (await import('./commands/scan.js')).scanCommand({ json: args.includes('--json') });
  } else {
    const { program } = await import('./program.js');
    await program.parseAsync(process.argv);
  }
} catch (err) {
  // Help and --version exit 0; a usage error (unknown flag, missing or bad value) exits 2.
  const commanderExit = (err as { code?: unknown; exitCode?: unknown }).code?.toString().startsWith('commander.');
  if (commanderExit) process.exit((err as { exitCode: number }).exitCode === 0 ? 0 : 2);
  // The endpoint packages (deb/rpm) leave the server's commands out.
  if ((err as { code?: unknown }).code === 'ERR_MODULE_NOT_FOUND' && /cli\/commands\/[\w-]+\.js/.test((err as Error).message)) {
    console.error('outpost: this command is not in this installation: the endpoint package holds the agent and its tools, not the server');
    process.exit(2);
  }
  if (isOutpostError(err)) {
    console.error(`outpost: ${err.message}`);
    process.exit(err.code === 'E_CONFIG' ? 2 : 1);
  }
  console.error(`outpost: ${(err as Error).stack ?? String(err)}`);
  process.exit(1);
}
