// A private PostgreSQL 15 cluster for the tests of this process: initdb in a temp dir, listening on a
// unix socket in that dir only (no port to collide with), started on first use and stopped when the
// process exits. PostgreSQL refuses to run as root: as root the cluster belongs to the `postgres`
// user (runuser); otherwise to the user running the tests. Each test gets its own database, copied
// from a template that already holds the schema (CREATE DATABASE ... TEMPLATE, milliseconds).
// There is no skip: when PostgreSQL cannot start, the test that asked for it fails with the reason.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { migrate } from '../../server/store/postgres/migrations.js';
import { createPool } from '../../server/store/postgres/open.js';

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
  const r = spawnSync(cmd, argv, { encoding: 'utf8', timeout: 60_000 });
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

async function start(): Promise<Cluster> {
  if (!existsSync(join(BIN, 'initdb'))) throw new Error(`PostgreSQL for the tests: no initdb in ${BIN} (apt-get install postgresql)`);
  const owner = asOwner();
  removeOrphans(owner);
  const dir = mkdtempSync(join(tmpdir(), PREFIX));
  if (owner) chownSync(dir, owner.uid, owner.gid);
  chmodSync(dir, 0o700);
  const data = join(dir, 'data');
  const user = owner?.user ?? userInfo().username;
  run(owner, 'initdb', ['-D', data, '-U', user, '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions']);
  // Durability is the machine's business in production; a test cluster trades it for speed.
  const options = `-k ${dir} -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
  run(owner, 'pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', '-t', '60', 'start']);
  writeFileSync(join(dir, 'test-process.pid'), String(process.pid));
  process.once('exit', () => {
    run(owner, 'pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    rmSync(dir, { recursive: true, force: true });
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
  const url = (database: string) => `postgresql://${encodeURIComponent(user)}@${encodeURIComponent(dir)}/${database}`;
  const admin = createPool(url('postgres'), 2, true);
  await admin.query(`CREATE DATABASE ${TEMPLATE}`);
  const template = createPool(url(TEMPLATE), 1);
  try {
    await migrate(template);
  } finally {
    await template.end();
  }
  return { dir, admin, url };
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
