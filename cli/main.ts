// `outpost` — one binary for the server, the agent and the tools around them.
import { parseArgs } from 'node:util';
import { isOutpostError } from '../shared/errors.js';

/**
 * `outpost scan [--json]` is the one command a fleet runs as a short-lived process (and the
 * inventory benchmark measures as a whole): it skips loading the command tree, ~3 MB of peak RSS.
 */
function isPlainScan(args: readonly string[]): boolean {
  return args[0] === 'scan' && args.slice(1).every((a) => a === '--json');
}

/**
 * `outpost agent` with nothing but its own flags is the long-lived process on every endpoint: it
 * skips the command tree too, so commander never loads into it. Anything else (help, a bad flag)
 * goes through the command tree, which answers it as before.
 */
function plainAgentFlags(args: readonly string[]): Record<string, unknown> | undefined {
  if (args[0] !== 'agent') return undefined;
  try {
    const text = { type: 'string' } as const;
    return parseArgs({
      args: args.slice(1),
      options: { server: text, token: text, state: text, config: text },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch {
    return undefined;
  }
}

try {
  const args = process.argv.slice(2);
  const agentFlags = plainAgentFlags(args);
  if (agentFlags) {
    // First of all, so that the agent's heap settings cover every module it loads.
    const compact = (await import('../agent/idle-memory.js')).tuneHeapForIdle();
    await (await import('./commands/agent.js')).agentCommand(agentFlags, compact);
  } else if (isPlainScan(args)) {
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
    // The message may carry the agent's or the server's words (a ticket subject, a desk's answer).
    const { printable } = await import('./printable.js');
    console.error(`outpost: ${printable(err.message)}`);
    process.exit(err.code === 'E_CONFIG' ? 2 : 1);
  }
  console.error(`outpost: ${(err as Error).stack ?? String(err)}`);
  process.exit(1);
}
