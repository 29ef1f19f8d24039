// The command tree. Each command's module is imported only when that command runs.
import { Command, Option } from 'commander';
import { OUTPOST_VERSION } from '../shared/version.js';

export const program = new Command('outpost')
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
  .option('--store <url>', 'postgres://user@host/db to keep the data in PostgreSQL; default sqlite, a file in --data (env OUTPOST_STORE)')
  .option('--config <file>', 'JSON config file (env OUTPOST_CONFIG)')
  .option('--tls-cert <file>', 'PEM certificate (chain) to serve HTTPS and wss:// directly (env OUTPOST_TLS_CERT)')
  .option('--tls-key <file>', 'PEM private key for --tls-cert (env OUTPOST_TLS_KEY)')
  .addOption(new Option('--desk <kind>', 'service desk to sync with (env OUTPOST_DESK)').choices(['rt', 'sdp', 'autotask']))
  .option('--desk-url <url>', "the desk's web address (env OUTPOST_DESK_URL)")
  .option('--desk-user <name>', 'the API user (RT, Autotask UserName) or technician (SDP) (env OUTPOST_DESK_USER)')
  .option('--desk-secret-file <file>', 'file holding the API token or password (env OUTPOST_DESK_SECRET_FILE, or OUTPOST_DESK_SECRET)')
  .addOption(
    new Option('--desk-auth <kind>', 'RT: the secret is an auth token or the password (env OUTPOST_DESK_AUTH)').choices(['token', 'basic']),
  )
  .option('--desk-poll <seconds>', 'how often to read status and replies from the desk, default 30 (Autotask 300) (env OUTPOST_DESK_POLL)')
  .option(
    '--desk-approval-poll <minutes>',
    'how often to read self-service approvals from the desk, default 3 (env OUTPOST_DESK_APPROVAL_POLL)',
  )
  .option('--desk-requester-domain <domain>', 'requesters without an email become account@domain (env OUTPOST_DESK_REQUESTER_DOMAIN)')
  .option(
    '--desk-fallback-requester <user>',
    'the desk user or email a ticket gets when its account has neither an email nor a desk user (env OUTPOST_DESK_FALLBACK_REQUESTER; default the desk user)',
  )
  .option('--fleet-scan-at <HH:MM|off>', "every agent's daily full scan, agent's local time (env OUTPOST_FLEET_SCAN_AT; default off)")
  .option('--fleet-refresh-minutes <n>', "every agent's full refresh interval, 5-10080 (env OUTPOST_FLEET_REFRESH_MINUTES; default 90)")
  .option(
    '--fleet-users-refresh-minutes <n>',
    "every agent's signed-in users refresh, 1-1440 (env OUTPOST_FLEET_USERS_REFRESH_MINUTES; default 30)",
  )
  .option(
    '--pre-auth-per-address <n>',
    'agent connections one address may hold before hello, default 32: raise it behind a balancer that hides client addresses (env OUTPOST_PREAUTH_PER_ADDRESS)',
  )
  .option('--pre-auth-total <n>', 'agent connections the server holds before hello, in all (env OUTPOST_PREAUTH_TOTAL)')
  .option(
    '--process-heartbeat-seconds <n>',
    'several processes on PostgreSQL: how often this one says it is alive, 1-60, default 5 (env OUTPOST_PROCESS_HEARTBEAT_SECONDS)',
  )
  .option(
    '--process-lease-seconds <n>',
    'several processes on PostgreSQL: a process silent this long is dead and its devices go offline, 3-600, default 20 (env OUTPOST_PROCESS_LEASE_SECONDS)',
  )
  .option(
    '--agent-ping-seconds <n>',
    "how often the server pings each agent, 5-30, default 30; a balancer's idle timeout must be longer (env OUTPOST_AGENT_PING_SECONDS)",
  )
  .action(async (flags: Record<string, unknown>) => (await import('./commands/server.js')).serverCommand(flags));

program
  .command('agent')
  .description("run the agent: collect this machine's inventory and stream its changes to the server")
  .option('--server <url>', 'server base URL, ws(s):// or http(s):// (env OUTPOST_SERVER)')
  .option(
    '--token-file <file>',
    'file holding the enrolment token, needed only the first time (env OUTPOST_ENROL_TOKEN_FILE, or OUTPOST_ENROL_TOKEN)',
  )
  .option('--token <token>', 'the enrolment token itself: visible to local users in the process list, prefer --token-file')
  .option('--ca-file <file>', 'PEM CA certificate to trust for wss:// instead of the system store (env OUTPOST_CA_FILE)')
  .option('--state <dir>', 'state directory (env OUTPOST_STATE_DIR)')
  .option('--config <file>', 'JSON config file (env OUTPOST_CONFIG)')
  .option('--scan-at <HH:MM|off>', "daily full scan at this local time, over the fleet's (env OUTPOST_SCAN_AT)")
  .option('--refresh-minutes <n>', "full refresh interval, 5-10080, over the fleet's (env OUTPOST_REFRESH_MINUTES)")
  .option('--users-refresh-minutes <n>', "signed-in users refresh, 1-1440, over the fleet's (env OUTPOST_USERS_REFRESH_MINUTES)")
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

const ticket = program.command('ticket').description("help-desk tickets of this machine's user, through the local agent");
const stateOption = () => new Option('--state <dir>', 'state directory of the running agent (env OUTPOST_STATE_DIR)');
const jsonOption = () => new Option('--json', 'print JSON, for scripts');
const collect = (value: string, previous: string[]) => [...previous, value];

ticket
  .command('create')
  .description('raise a ticket; it is queued at once and sent when the machine is online')
  .requiredOption('--subject <text>', 'one line saying what is wrong')
  .requiredOption('--description <text>', 'what happened, in as much detail as helps')
  .addOption(new Option('--priority <priority>', 'how urgent it is').choices(['low', 'normal', 'high', 'urgent']))
  .option('--category <category>', 'e.g. printing, network')
  .option('--attach <file>', 'a file to attach (repeat for more; 10 MB each, 25 MB in all)', collect, [])
  .addOption(stateOption())
  .addOption(jsonOption())
  .action(async (flags: import('./commands/ticket.js').TicketCreateFlags) =>
    (await import('./commands/ticket.js')).ticketCreateCommand(flags),
  );

ticket
  .command('list')
  .description('your tickets, newest first: number (or "queued"), status, subject; [new] marks news from IT')
  .addOption(stateOption())
  .addOption(jsonOption())
  .action(async (flags: { state?: string; json?: boolean }) => (await import('./commands/ticket.js')).ticketListCommand(flags));

ticket
  .command('show')
  .description('one ticket with its description and notes; marks it read')
  .argument('<ref>', 'the reference "ticket create" printed, or the ticket number')
  .addOption(stateOption())
  .addOption(jsonOption())
  .action(async (ref: string, flags: { state?: string; json?: boolean }) =>
    (await import('./commands/ticket.js')).ticketShowCommand(ref, flags),
  );

ticket
  .command('reopen')
  .description('reopens a resolved or closed ticket, with a note saying what is still wrong')
  .argument('<ref>', 'the reference "ticket create" printed, or the ticket number')
  .requiredOption('--note <text>', 'what is still wrong')
  .addOption(stateOption())
  .addOption(jsonOption())
  .action(async (ref: string, flags: { note: string; state?: string; json?: boolean }) =>
    (await import('./commands/ticket.js')).ticketReopenCommand(ref, flags),
  );

const worklog = program.command('worklog').description('remote-session worklogs, through the local agent');

worklog
  .command('add')
  .description('record a remote session against a ticket number')
  .requiredOption('--ticket <id>', 'the ticket number, e.g. 1042')
  .requiredOption('--start <iso>', 'when the session started, e.g. 2025-03-01T09:30:00Z')
  .requiredOption('--end <iso>', 'when it ended')
  .requiredOption('--technician <name>', 'who did the work')
  .option('--description <text>', 'what was done')
  .addOption(stateOption())
  .addOption(jsonOption())
  .action(async (flags: import('./commands/worklog.js').WorklogAddFlags) =>
    (await import('./commands/worklog.js')).worklogAddCommand(flags),
  );

worklog
  .command('list')
  .description('worklogs recorded on this machine: queued, recorded, or rejected with the reason')
  .addOption(stateOption())
  .addOption(jsonOption())
  .action(async (flags: { state?: string; json?: boolean }) => (await import('./commands/worklog.js')).worklogListCommand(flags));

worklog
  .command('retry')
  .description('send a rejected worklog again with a corrected ticket number')
  .argument('<ref>', 'the worklog reference "worklog list" shows')
  .requiredOption('--ticket <id>', 'the corrected ticket number')
  .addOption(stateOption())
  .addOption(jsonOption())
  .action(async (ref: string, flags: { ticket: string; state?: string; json?: boolean }) =>
    (await import('./commands/worklog.js')).worklogRetryCommand(ref, flags),
  );

const token = program.command('token').description('enrolment tokens (work while the server runs)');
token
  .command('create')
  .description('print a new enrolment token')
  .option('--data <dir>', 'the server data directory (env OUTPOST_DATA_DIR)')
  .option('--store <url>', "the server's postgres:// store, if it uses one (env OUTPOST_STORE)")
  .option('--expires <duration>', 'lifetime, e.g. 30m, 12h, 7d (default 7d)')
  .option('--uses <n>', 'how many devices may enrol with it (default unlimited)')
  .option('--label <text>', 'what the token is for, shown in lists and the console')
  .action(async (flags: Record<string, unknown>) => (await import('./commands/token.js')).tokenCreateCommand(flags));
token
  .command('list')
  .description('list enrolment tokens: id, state, uses, expiry, label (never the token itself)')
  .option('--data <dir>', 'the server data directory (env OUTPOST_DATA_DIR)')
  .option('--store <url>', "the server's postgres:// store, if it uses one (env OUTPOST_STORE)")
  .addOption(jsonOption())
  .action(async (flags: Record<string, unknown>) => (await import('./commands/token.js')).tokenListCommand(flags));
token
  .command('revoke')
  .description('revoke an enrolment token so no device can enrol with it')
  .argument('<id>', 'the id "token list" shows')
  .option('--data <dir>', 'the server data directory (env OUTPOST_DATA_DIR)')
  .option('--store <url>', "the server's postgres:// store, if it uses one (env OUTPOST_STORE)")
  .action(async (id: string, flags: Record<string, unknown>) => (await import('./commands/token.js')).tokenRevokeCommand(id, flags));

program
  .command('package')
  .description(
    "one fleet's enrolment settings for the endpoint installers: a fresh token as deb/rpm agent.json, Windows silent install, macOS profile",
  )
  .requiredOption('--server <url>', 'the https:// address agents reach this server at')
  .option('--data <dir>', 'the server data directory (env OUTPOST_DATA_DIR)')
  .option('--store <url>', "the server's postgres:// store, if it uses one (env OUTPOST_STORE)")
  .option('--label <text>', 'what the token is for, e.g. the fleet or site')
  .option('--expires <duration>', 'token lifetime, e.g. 12h, 30d (default 7d)')
  .option('--uses <n>', 'how many devices may enrol with it (default unlimited)')
  .option('--ca-file <file>', 'PEM CA certificate the agents pin instead of their system store')
  .option('--out <dir>', 'where to write linux/, windows/ and macos/ (default ./outpost-enrolment)')
  .action(async (flags: import('./commands/package.js').PackageFlags) => (await import('./commands/package.js')).packageCommand(flags));

const admin = program.command('admin').description('web console admin accounts (work while the server runs)');
const adminOptions = (cmd: Command) =>
  cmd
    .argument('<username>', 'letters, digits and . _ @ - (case does not matter when signing in)')
    .option('--data <dir>', 'the server data directory (env OUTPOST_DATA_DIR)')
    .option('--store <url>', "the server's postgres:// store, if it uses one (env OUTPOST_STORE)")
    .option('--config <file>', 'JSON config file (env OUTPOST_CONFIG)')
    .option('--password-file <file>', "read the password from the file's first line (else stdin's first line, or a prompt at a terminal)");

adminOptions(admin.command('create').description('add an admin who can sign in to the web console')).action(
  async (username: string, flags: import('./commands/admin.js').AdminFlags) =>
    (await import('./commands/admin.js')).adminCreateCommand(username, flags),
);

adminOptions(admin.command('passwd').description("set an admin's password; their console sessions end")).action(
  async (username: string, flags: import('./commands/admin.js').AdminFlags) =>
    (await import('./commands/admin.js')).adminPasswdCommand(username, flags),
);

const store = program.command('store').description('the server store: move it from SQLite to PostgreSQL');
store
  .command('copy')
  .description("copy a stopped server's SQLite store into an empty PostgreSQL database, every table, counts checked")
  .requiredOption('--from <path>', "the server's data directory, or its SQLite file (outpost.db)")
  .requiredOption('--to <url>', 'postgres://user@host/db of an empty database (createdb it first)')
  .action(async (flags: Record<string, unknown>) => (await import('./commands/store.js')).storeCopyCommand(flags));

program
  .command('start')
  .description('run a server on ./data and an agent for this machine, enrolled automatically')
  .option('--data <dir>', 'data directory', './data')
  .option('--port <port>', 'port to listen on', '7040')
  .action(async (flags: { data: string; port: string }) => (await import('./commands/start.js')).startCommand(flags));
