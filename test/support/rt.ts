// A private, real Request Tracker 5 for tests (../shared/notes/request-tracker-5.md): site config
// in a temp dir, SQLite, a free port, Outpost's initialdata plus an API user with exactly the
// rights server/desk/rt/README.md asks admins for. Installs nothing: CI's .ci/run does
//   apt-get install -y --no-install-recommends request-tracker5 rt5-db-sqlite rt5-standalone
// Start one per test file and stop it in after().
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { freePort } from './ports.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { RT_API_RIGHTS } from '../../server/desk/rt/rights.js';
import { deadline } from './deadline.js';

const exec = promisify(execFile);
/** Debian's paths; OUTPOST_RT_SETUP / OUTPOST_RT_SERVER point elsewhere (an RT built from source). */
const SETUP = process.env.OUTPOST_RT_SETUP ?? '/usr/sbin/rt-setup-database-5';
const SERVER = process.env.OUTPOST_RT_SERVER ?? '/usr/share/request-tracker5/libexec/rt-server';
const INITIALDATA = new URL('../../server/desk/rt/initialdata.pl', import.meta.url).pathname;
const INSTALL = 'apt-get install -y --no-install-recommends request-tracker5 rt5-db-sqlite rt5-standalone';
const READY_TIMEOUT_MS = deadline(60_000);
const API_USER = 'outpost';
/** Bump when dataFile() changes what the template database holds. */
const TEMPLATE_VERSION = 2;

export interface RtInstance {
  /** RT's web address; the REST API is under /REST/2.0. */
  url: string;
  /** The connector's API user and its password and auth token. */
  user: string;
  password: string;
  token: string;
  /** A person in RT (root), for changes the connector must see as someone else's. */
  admin: { user: string; password: string };
  /** How long each start-up step took; init and insert are 0 when the template was cached. */
  timings: { initMs: number; insertMs: number; serverMs: number; totalMs: number; cached: boolean };
  stop(): Promise<void>;
}

/**
 * RT's REST 2.0 as someone other than the connector: a person (root, by default) or the API user by
 * password. Answers the status and the parsed body; the caller asserts the status it expects.
 */
export async function rtRest<T = unknown>(
  rt: RtInstance,
  method: string,
  path: string,
  body?: unknown,
  who: 'person' | 'api-user' = 'person',
): Promise<{ status: number; body: T }> {
  const [user, password] = who === 'person' ? [rt.admin.user, rt.admin.password] : [rt.user, rt.password];
  const res = await fetch(`${rt.url}/REST/2.0${path}`, {
    method,
    headers: { Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`, 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as T };
}

/** Why RT cannot run here, or null when it can. */
export function rtMissing(): string | null {
  const missing = [SETUP, SERVER].filter((f) => !existsSync(f));
  return missing.length ? `Request Tracker 5 is not installed (no ${missing.join(', ')}); install it with: ${INSTALL}` : null;
}

/**
 * For `describe(..., { skip: rtSkip() })`. Outside CI a machine without RT skips with the reason
 * shown; in CI (CI=true) nothing is skipped and startRt() fails with the reason.
 */
export function rtSkip(): string | false {
  const reason = rtMissing();
  return reason && process.env.CI !== 'true' ? reason : false;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const p of live) killGroup(p, 'SIGKILL');
});

export interface RtOptions {
  /**
   * false: an RT set up without initialdata.pl (no Outpost custom fields, no software catalog),
   * as an admin who skipped that step has it. The API user, its rights and token are the same.
   */
  outpostFields?: boolean;
  /**
   * More initialdata (Perl, e.g. `@Queues = (...); @CustomFields = (...); 1;`) inserted after the
   * rest: queues and custom fields a desk admin made, which RT's REST API cannot apply to queues.
   */
  extraData?: string;
}

export async function startRt(options: RtOptions = {}): Promise<RtInstance> {
  const reason = rtMissing();
  if (reason) throw new Error(reason);
  const started = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'outpost-rt-'));
  try {
    for (const sub of ['mason', 'sessions', 'site.d']) mkdirSync(join(dir, sub));
    const db = await templateDatabase(options.outpostFields ?? true, options.extraData);
    copyFileSync(join(db.dir, 'rt.db'), join(dir, 'rt.db'));

    const t = performance.now();
    const { url, proc } = await serveOnFreePort(dir);
    const serverMs = performance.now() - t;
    const timings = { ...db.timings, serverMs, totalMs: performance.now() - started };
    return {
      url,
      user: API_USER,
      password: db.password,
      token: db.token,
      admin: { user: 'root', password: 'password' },
      timings: { ...mapValues(timings, Math.round), cached: db.cached },
      stop: async () => {
        await stopProcess(proc);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

interface Template {
  dir: string;
  password: string;
  token: string;
  cached: boolean;
  timings: { initMs: number; insertMs: number };
}

/**
 * The initialised database, made once per machine for this RT version and initialdata (the two
 * setup steps take most of the start-up time) and copied for each instance. Test files that
 * start RT at the same time may both build it; the first rename wins.
 */
async function templateDatabase(outpostFields: boolean, extraData?: string): Promise<Template> {
  const key = createHash('sha256')
    .update(`${TEMPLATE_VERSION}\n${statSync(SETUP).mtimeMs}\n${RT_API_RIGHTS.join(',')}\n`)
    .update(outpostFields ? readFileSync(INITIALDATA) : 'without initialdata')
    .update(extraData === undefined ? '' : `\nextra:${extraData}`)
    .digest('hex')
    .slice(0, 16);
  const root = join(tmpdir(), 'outpost-rt-templates');
  const dir = join(root, key);
  if (process.env.OUTPOST_RT_NO_CACHE !== '1' && existsSync(join(dir, 'ready'))) {
    return { ...readTemplate(dir), cached: true, timings: { initMs: 0, insertMs: 0 } };
  }
  mkdirSync(root, { recursive: true });
  const build = mkdtempSync(join(root, 'build-'));
  try {
    const password = randomBytes(12).toString('hex');
    for (const sub of ['mason', 'sessions', 'site.d']) mkdirSync(join(build, sub));
    const env = writeSiteConfig(build, 0);
    writeFileSync(join(build, 'initialdata.pl'), dataFile(build, password, outpostFields));
    let t = performance.now();
    await setup(env, ['--action', 'init', '--skip-create']);
    const initMs = performance.now() - t;
    t = performance.now();
    await setup(env, ['--action', 'insert', '--datafile', join(build, 'initialdata.pl')]);
    if (extraData !== undefined) {
      writeFileSync(join(build, 'extra.pl'), extraData);
      await setup(env, ['--action', 'insert', '--datafile', join(build, 'extra.pl')]);
    }
    const insertMs = performance.now() - t;
    writeFileSync(join(build, 'password'), password);
    writeFileSync(join(build, 'ready'), new Date().toISOString());
    if (process.env.OUTPOST_RT_NO_CACHE === '1') rmSync(dir, { recursive: true, force: true });
    try {
      renameSync(build, dir);
    } catch {
      rmSync(build, { recursive: true, force: true }); // another test file was quicker
    }
    return { ...readTemplate(existsSync(join(dir, 'ready')) ? dir : build), cached: false, timings: { initMs, insertMs } };
  } catch (err) {
    rmSync(build, { recursive: true, force: true });
    throw err;
  }
}

function readTemplate(dir: string): { dir: string; password: string; token: string } {
  const read = (f: string) => readFileSync(join(dir, f), 'utf8').trim();
  return { dir, password: read('password'), token: read('token') };
}

function writeSiteConfig(dir: string, port: number): NodeJS.ProcessEnv {
  const config = [
    `Set($rtname,'rt.test'); Set($Organization,'rt.test');`,
    `Set($DatabaseType,'SQLite'); Set($DatabaseName,'${dir}/rt.db');`,
    `Set($WebDomain,'127.0.0.1'); Set($WebPort,${port}); Set($WebPath,'');`,
    `Set($WebBaseURL,'http://127.0.0.1:${port}');`,
    `Set($Timezone,'UTC'); Set($LogToSyslog,undef); Set($LogToSTDERR,'warning'); Set($LogToFile,undef);`,
    `Set($MasonDataDir,'${dir}/mason'); Set($MasonSessionDir,'${dir}/sessions');`,
    // create and correspond would otherwise try to send mail
    `Set($MailCommand,'testfile');`,
    '1;',
  ].join('\n');
  writeFileSync(join(dir, 'RT_SiteConfig.pm'), config);
  return { ...process.env, RT_SITE_CONFIG: join(dir, 'RT_SiteConfig.pm'), RT_SITE_CONFIG_DIR: join(dir, 'site.d') };
}

/** Outpost's custom fields (unless left out), then the API user, its rights and a token written to <dir>/token. */
function dataFile(dir: string, password: string, outpostFields: boolean): string {
  const rights = RT_API_RIGHTS.map((r) => `{ UserId => '${API_USER}', Right => '${r}' }`).join(',\n  ');
  return `${outpostFields ? readFileSync(INITIALDATA, 'utf8').replace(/\n1;\s*$/, '\n') : ''}
@Users = ({ Name => '${API_USER}', Password => '${password}', EmailAddress => '${API_USER}@rt.test',
            RealName => 'Outpost API', Privileged => 1 });
@ACL = (
  ${rights}
);
@Final = (sub {
  require RT::AuthToken;
  my $user = RT::User->new(RT->SystemUser);
  $user->Load('${API_USER}');
  my ($id, $msg, $auth) = RT::AuthToken->new(RT->SystemUser)->Create(Owner => $user->Id, Description => 'Outpost tests');
  die "auth token: $msg" unless $id;
  open(my $fh, '>', '${dir}/token') or die "token file: $!";
  print $fh $auth;
  close $fh;
});
1;
`;
}

async function setup(env: NodeJS.ProcessEnv, args: string[]): Promise<void> {
  try {
    await exec(SETUP, args, { env, timeout: deadline(120_000), maxBuffer: 4 * 1024 * 1024 });
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; message: string };
    throw new Error(`rt-setup-database-5 ${args.join(' ')} failed: ${e.message}\n${(e.stderr ?? '').slice(-2000)}`);
  }
}

/** Another process may take the free port before rt-server binds it: then try another. */
async function serveOnFreePort(dir: string): Promise<{ url: string; proc: ChildProcess }> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    try {
      return { url, proc: await serve(writeSiteConfig(dir, port), port, url) };
    } catch (err) {
      if (attempt >= 3 || !(err instanceof Error) || !/exited before answering/.test(err.message)) throw err;
    }
  }
}

async function serve(env: NodeJS.ProcessEnv, port: number, url: string): Promise<ChildProcess> {
  // Its own process group: Starlet forks workers, and stop() must end them all.
  const proc = spawn(SERVER, ['--port', String(port)], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(proc);
  let output = '';
  const keep = (d: Buffer) => (output = (output + d.toString()).slice(-8000));
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  let exited = false;
  proc.once('exit', () => (exited = true));
  const auth = `Basic ${Buffer.from('root:password').toString('base64')}`;
  const giveUpAt = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < giveUpAt) {
    if (exited) throw new Error(`rt-server exited before answering:\n${output}`);
    const res = await fetch(`${url}/REST/2.0/rt`, { headers: { Authorization: auth } }).catch(() => null);
    if (res?.status === 200) return proc;
    await new Promise((r) => setTimeout(r, 100));
  }
  await stopProcess(proc);
  throw new Error(`rt-server did not answer within ${READY_TIMEOUT_MS} ms:\n${output}`);
}

async function stopProcess(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) {
    live.delete(proc);
    return;
  }
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  killGroup(proc, 'SIGTERM');
  const timer = setTimeout(() => killGroup(proc, 'SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
  // Workers may outlive the master by a moment; nothing of the group may remain.
  killGroup(proc, 'SIGKILL');
  live.delete(proc);
}

function killGroup(proc: ChildProcess, signal: NodeJS.Signals): void {
  if (proc.pid === undefined) return;
  try {
    process.kill(-proc.pid, signal);
  } catch {
    // the group is already gone
  }
}

function mapValues<T extends Record<string, number>>(o: T, f: (v: number) => number): T {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v)])) as T;
}
