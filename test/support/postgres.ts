// A private PostgreSQL 15 cluster for the tests: initdb in a temp dir, listening on a unix socket in
// that dir only (no port to collide with), started on first use. Under scripts/run-tests.mjs one
// cluster serves the whole run (it stops it at the end); a test file run alone gets its own, stopped
// when its process exits. PostgreSQL refuses to run as root: as root the cluster belongs to the `postgres`
// user (runuser); otherwise to the user running the tests. Each test gets its own database, copied
// from a template that already holds the schema (CREATE DATABASE ... TEMPLATE, milliseconds).
// There is no skip: when PostgreSQL cannot start, the test that asked for it fails with the reason.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { migrate } from '../../server/store/postgres/migrations.js';
import { createPool } from '../../server/store/postgres/open.js';
import { deadline } from './deadline.js';

const BIN = process.env.OUTPOST_TEST_PG_BIN ?? '/usr/lib/postgresql/15/bin';
const TEMPLATE = 'outpost_template';

interface Cluster {
  dir: string;
  admin: pg.Pool;
  url(database: string): string;
}

let cluster: Promise<Cluster> | null = null;
let databases = 0;

function asOwner(): { user: string; uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { user: 'postgres', uid, gid };
}

function run(owner: ReturnType<typeof asOwner>, bin: string, args: string[]): void {
  const [cmd, argv] = owner ? ['runuser', ['-u', owner.user, '--', join(BIN, bin), ...args]] : [join(BIN, bin), args];
  const r = spawnSync(cmd, argv, { encoding: 'utf8', timeout: deadline(60_000) });
  if (r.status !== 0) {
    throw new Error(`PostgreSQL for the tests: ${bin} failed (${r.error?.message ?? `exit ${r.status}`}): ${r.stderr || r.stdout}`);
  }
}

const PREFIX = 'outpost-pg-';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Clusters left by test processes that were killed before their exit hook ran: stopped and removed. */
function removeOrphans(owner: ReturnType<typeof asOwner>): void {
  for (const name of readdirSync(tmpdir()).filter((n) => n.startsWith(PREFIX))) {
    const dir = join(tmpdir(), name);
    let pid: number;
    try {
      pid = Number(readFileSync(join(dir, 'test-process.pid'), 'utf8'));
    } catch {
      continue; // being set up right now, or not ours
    }
    if (!Number.isInteger(pid) || alive(pid)) continue;
    try {
      run(owner, 'pg_ctl', ['-D', join(dir, 'data'), '-m', 'immediate', '-w', 'stop']);
    } catch {
      // already stopped
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Makes and starts a cluster in `dir` (empty, or about to be made) and its schema template. */
async function initialise(dir: string, owner: ReturnType<typeof asOwner>, user: string): Promise<void> {
  if (owner) chownSync(dir, owner.uid, owner.gid);
  chmodSync(dir, 0o700);
  const data = join(dir, 'data');
  run(owner, 'initdb', ['-D', data, '-U', user, '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions']);
  // Durability is the machine's business in production; a test cluster trades it for speed.
  // OUTPOST_TEST_PG_PRELOAD: a contrib module to preload (bench/fleet --probe counts statements with one).
  const preload = process.env.OUTPOST_TEST_PG_PRELOAD;
  const extra = preload && /^[a-z_]+$/.test(preload) ? ` -c shared_preload_libraries=${preload}` : '';
  const options = `-k ${dir} -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300${extra}`;
  run(owner, 'pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', '-t', String(deadline(60)), 'start']);
  const template = createPool(urlOf(dir, user, 'postgres'), 1);
  try {
    await template.query(`CREATE DATABASE ${TEMPLATE}`);
  } finally {
    await template.end();
  }
  const schema = createPool(urlOf(dir, user, TEMPLATE), 1);
  try {
    await migrate(schema);
  } finally {
    await schema.end();
  }
}

const urlOf = (dir: string, user: string, database: string) =>
  `postgresql://${encodeURIComponent(user)}@${encodeURIComponent(dir)}/${database}`;

/** This process's own cluster, stopped and removed when it exits. */
async function ownCluster(owner: ReturnType<typeof asOwner>, user: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), PREFIX));
  process.once('exit', () => {
    run(owner, 'pg_ctl', ['-D', join(dir, 'data'), '-m', 'immediate', '-w', 'stop']);
    rmSync(dir, { recursive: true, force: true });
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
  await initialise(dir, owner, user);
  writeFileSync(join(dir, 'test-process.pid'), String(process.pid));
  return dir;
}

/**
 * The cluster of this test run (scripts/run-tests.mjs names it in OUTPOST_TEST_PG_RUN and stops it
 * when the run ends): the first test file to need it makes it, the others wait for it to be ready.
 * Every file makes its own databases in it, named by its pid.
 */
async function sharedCluster(run: string, owner: ReturnType<typeof asOwner>, user: string): Promise<string> {
  const dir = join(tmpdir(), `${PREFIX}run-${run}`);
  const ready = join(dir, 'ready');
  const failed = join(dir, 'failed');
  try {
    mkdirSync(dir);
  } catch {
    const giveUpAt = Date.now() + deadline(120_000);
    while (!existsSync(ready)) {
      if (existsSync(failed)) throw new Error(readFileSync(failed, 'utf8'));
      if (Date.now() > giveUpAt) throw new Error(`PostgreSQL for the tests: the run's cluster in ${dir} never became ready`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return dir;
  }
  try {
    if (process.env.OUTPOST_TEST_PG_RUNNER_PID) writeFileSync(join(dir, 'test-process.pid'), process.env.OUTPOST_TEST_PG_RUNNER_PID);
    await initialise(dir, owner, user);
    writeFileSync(ready, user);
  } catch (err) {
    writeFileSync(failed, String((err as Error).message));
    throw err;
  }
  return dir;
}

async function start(): Promise<Cluster> {
  if (!existsSync(join(BIN, 'initdb'))) throw new Error(`PostgreSQL for the tests: no initdb in ${BIN} (apt-get install postgresql)`);
  const owner = asOwner();
  removeOrphans(owner);
  const user = owner?.user ?? userInfo().username;
  const shared = process.env.OUTPOST_TEST_PG_RUN;
  const dir = shared && /^[\w-]+$/.test(shared) ? await sharedCluster(shared, owner, user) : await ownCluster(owner, user);
  const url = (database: string) => urlOf(dir, user, database);
  return { dir, admin: createPool(url('postgres'), 2, true), url };
}

/** The URL of a new, empty database (`schema: false`) or one holding the current schema. */
export async function freshDatabase(opts: { schema?: boolean } = {}): Promise<string> {
  cluster ??= start();
  const c = await cluster;
  const name = `t${process.pid}_${++databases}`;
  // Identifiers cannot be parameters; `name` is made here from digits only.
  await c.admin.query(opts.schema === false ? `CREATE DATABASE ${name}` : `CREATE DATABASE ${name} TEMPLATE ${TEMPLATE}`);
  return c.url(name);
}

/** A pool on a fresh database, for tests that look at the rows themselves. */
export async function freshPool(opts: { schema?: boolean } = {}): Promise<pg.Pool> {
  return createPool(await freshDatabase(opts), 4);
}
