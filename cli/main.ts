// `outpost` — one binary for the server, the agent and the tools around them.
// Each command's module is imported only when that command runs, so `outpost scan` stays light.
import { Command, CommanderError } from 'commander';
import { isOutpostError } from '../shared/errors.js';
import { OUTPOST_VERSION } from '../shared/version.js';

const program = new Command('outpost')
  .description('Keeps endpoints and the service desk in step.')
  .version(OUTPOST_VERSION)
  .showHelpAfterError()
  .exitOverride();

program
  .command('server')
  .description('run the Outpost server (agents connect to /agent, the API is under /api)')
  .option('--host <host>', 'address to listen on (env OUTPOST_HOST)')
  .option('--port <port>', 'port to listen on, 0 for any free port (env OUTPOST_PORT)')
  .option('--data <dir>', 'data directory (env OUTPOST_DATA_DIR)')
  .option('--config <file>', 'JSON config file (env OUTPOST_CONFIG)')
  .action(async (flags: Record<string, unknown>) => (await import('./commands/server.js')).serverCommand(flags));

program
  .command('agent')
  .description("run the agent: collect this machine's inventory and stream its changes to the server")
  .option('--server <url>', 'server base URL, ws(s):// or http(s):// (env OUTPOST_SERVER)')
  .option('--token <token>', 'enrolment token, needed only the first time (env OUTPOST_ENROL_TOKEN)')
  .option('--state <dir>', 'state directory (env OUTPOST_STATE_DIR)')
  .option('--config <file>', 'JSON config file (env OUTPOST_CONFIG)')
  .action(async (flags: Record<string, unknown>) => (await import('./commands/agent.js')).agentCommand(flags));

program
  .command('scan')
  .description("print this machine's inventory, or ask the running agent to scan now")
  .option('--json', 'print the full inventory as JSON')
  .option('--now', 'ask the running agent to scan now and send the changes')
  .option('--state <dir>', 'state directory of the running agent, for --now (env OUTPOST_STATE_DIR)')
  .action(async (flags: { json?: boolean; now?: boolean; state?: string }) => {
    if (flags.now) return (await import('./commands/scan-now.js')).scanNowCommand(flags);
    return (await import('./commands/scan.js')).scanCommand({ json: flags.json === true });
  });

program
  .command('token')
  .description('enrolment tokens')
  .command('create')
  .description('print a new enrolment token (works while the server runs)')
  .option('--data <dir>', 'the server data directory (env OUTPOST_DATA_DIR)')
  .option('--expires <duration>', 'lifetime, e.g. 30m, 12h, 7d (default 7d)')
  .option('--uses <n>', 'how many devices may enrol with it (default unlimited)')
  .action(async (flags: Record<string, unknown>) => (await import('./commands/token.js')).tokenCreateCommand(flags));

program
  .command('start')
  .description('run a server on ./data and an agent for this machine, enrolled automatically')
  .option('--data <dir>', 'data directory', './data')
  .option('--port <port>', 'port to listen on', '7040')
  .action(async (flags: { data: string; port: string }) => (await import('./commands/start.js')).startCommand(flags));

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.exitCode);
  if (isOutpostError(err)) {
    console.error(`outpost: ${err.message}`);
    process.exit(err.code === 'E_CONFIG' ? 2 : 1);
  }
  console.error(`outpost: ${(err as Error).stack ?? String(err)}`);
  process.exit(1);
}
