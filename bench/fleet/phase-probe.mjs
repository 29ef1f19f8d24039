// Where a phase of bench/fleet.mjs spends the machine (--probe): CPU seconds of every process that
// takes part (the server processes, PostgreSQL's postmaster and backends, the simulated agents'
// processes, and this bench process, which also runs the balancer), read from /proc before and after;
// PostgreSQL's wait events and lock waits sampled from pg_stat_activity / pg_locks every 100 ms; and,
// when the cluster preloads pg_stat_statements, the statements run per operation (round trips).
// On a 2-core machine the question it answers is whether the cores are the limit: the CPU seconds
// summed over all processes against the phase's wall time x cores.
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import pg from 'pg';

const TICK = 100; // USER_HZ on Linux

function cpuOf(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return { cpu: (Number(f[11]) + Number(f[12])) / TICK, children: (Number(f[13]) + Number(f[14])) / TICK, ppid: Number(f[1]) };
  } catch {
    return null; // gone
  }
}

function cmdlineOf(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

function childrenOf(ppid) {
  const out = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    if (cpuOf(Number(name))?.ppid === ppid) out.push(Number(name));
  }
  return out;
}

/** CPU seconds per pid, the postmaster's children included (and those that exited, via its cutime). */
function cpuSnapshot(groups, postmaster) {
  const out = {};
  for (const [name, pids] of Object.entries(groups)) {
    out[name] = new Map();
    for (const pid of pids()) {
      const c = cpuOf(pid);
      if (c) out[name].set(pid, pid === postmaster ? c.cpu + c.children : c.cpu);
    }
  }
  return out;
}

export class PhaseProbe {
  /** groups: name -> () => pids (the CPU split); storeUrl: the PostgreSQL database, if any. */
  constructor({ groups, storeUrl }) {
    this.groups = { ...groups };
    this.storeUrl = /^postgres(ql)?:/.test(storeUrl ?? '') ? storeUrl : undefined;
  }

  async start() {
    if (this.storeUrl) {
      this.client = new pg.Client({ connectionString: this.storeUrl, application_name: 'bench-probe' });
      await this.client.connect();
      const { rows } = await this.client.query('SELECT pg_backend_pid() AS pid');
      this.ownPid = rows[0].pid;
      const postmaster = cpuOf(rows[0].pid).ppid;
      // The live backends apart from the rest: autovacuum, checkpointer, WAL writer, and the postmaster
      // with its children that exited during the phase (a pooled connection closed when idle, a
      // vacuum worker done): after a first inventory, vacuum can be most of it.
      const backend = (pid) => /^postgres: \S+ \S+ \[local\]/.test(cmdlineOf(pid)) && pid !== this.ownPid;
      this.groups['postgres backends'] = () => childrenOf(postmaster).filter(backend);
      this.groups['postgres other'] = () => [postmaster, ...childrenOf(postmaster).filter((pid) => !backend(pid))];
      this.postmaster = postmaster;
      try {
        await this.client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
        await this.client.query('SELECT pg_stat_statements_reset()');
        this.statements = true;
      } catch {
        this.statements = false; // not preloaded: no round-trip counts
      }
      this.xacts0 = await this.xacts();
    }
    this.t0 = performance.now();
    this.load0 = loadavg()[0];
    this.cpu0 = cpuSnapshot(this.groups, this.postmaster);
    this.waits = new Map();
    this.locks = new Map();
    this.samples = 0;
    if (this.client) this.sampling = setInterval(() => void this.sample(), 100);
  }

  /** The database's transactions, less the probe's own (each of its statements is one). */
  async xacts() {
    this.own = (this.own ?? 0) + 1;
    const { rows } = await this.client.query(
      'SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = current_database()',
    );
    return Number(rows[0].n) - this.own;
  }

  async sample() {
    if (this.busy) return;
    this.busy = true;
    try {
      this.own += 2;
      const { rows } = await this.client.query(
        `SELECT coalesce(wait_event_type || ':' || wait_event, 'CPU') AS w, state, count(*)::int AS n FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle' GROUP BY 1, 2`,
      );
      for (const r of rows) this.waits.set(`${r.w} (${r.state})`, (this.waits.get(`${r.w} (${r.state})`) ?? 0) + r.n);
      const locks = await this.client.query(
        `SELECT locktype || coalesce(':' || relation::regclass::text, '') || ':' || mode AS l, count(*)::int AS n FROM pg_locks WHERE NOT granted GROUP BY 1`,
      );
      for (const r of locks.rows) this.locks.set(r.l, (this.locks.get(r.l) ?? 0) + r.n);
      this.samples++;
    } catch {
      // the cluster is going away with the run
    } finally {
      this.busy = false;
    }
  }

  /** Stops sampling and prints what the phase cost, per operation where `ops` is given. */
  async stop(name, ops) {
    clearInterval(this.sampling);
    const wallS = (performance.now() - this.t0) / 1000;
    const cpu1 = cpuSnapshot(this.groups, this.postmaster);
    const lines = [
      `probe, ${name}: ${ops} operations in ${wallS.toFixed(1)} s; ${cpus().length} cores = ${(wallS * cpus().length).toFixed(1)} core-seconds; load average ${this.load0.toFixed(1)} -> ${loadavg()[0].toFixed(1)}`,
    ];
    let total = 0;
    const split = [];
    for (const [group, after] of Object.entries(cpu1)) {
      let s = 0;
      for (const [pid, c] of after) s += c - (this.cpu0[group]?.get(pid) ?? 0);
      total += s;
      split.push(`${group} ${s.toFixed(1)} s (${((s * 1000) / ops).toFixed(2)} ms/op)`);
    }
    lines.push(
      `  CPU: ${split.join(', ')}; all of them ${total.toFixed(1)} s (${((total * 1000) / ops).toFixed(2)} ms/op, ${((100 * total) / (wallS * cpus().length)).toFixed(0)} % of the cores)`,
    );
    if (this.client) {
      const xacts = (await this.xacts()) - this.xacts0;
      lines.push(`  PostgreSQL: ${xacts} transactions (${(xacts / ops).toFixed(2)}/op)`);
      const top = (m) =>
        [...m]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 8)
          .map(([k, n]) => `${k} ${(n / Math.max(1, this.samples)).toFixed(2)}`)
          .join(', ') || 'none';
      lines.push(`  busy backends (mean over ${this.samples} samples): ${top(this.waits)}`);
      lines.push(`  lock waits (mean): ${top(this.locks)}`);
      if (this.statements) {
        const { rows } = await this.client.query(
          `SELECT calls::int AS calls, round(total_exec_time)::int AS ms, left(regexp_replace(query, '\\s+', ' ', 'g'), 110) AS q FROM pg_stat_statements
           WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND query NOT LIKE '%pg_stat%' AND query NOT LIKE '%pg_locks%' ORDER BY calls DESC`,
        );
        const calls = rows.reduce((n, r) => n + r.calls, 0);
        lines.push(`  statements: ${calls} (${(calls / ops).toFixed(1)}/op); the most called:`);
        for (const r of rows.slice(0, 16)) lines.push(`    ${(r.calls / ops).toFixed(2)}/op ${r.ms} ms  ${r.q}`);
        lines.push('  the longest in total (execution time, lock waits included):');
        for (const r of [...rows].sort((a, b) => b.ms - a.ms).slice(0, 6)) lines.push(`    ${r.ms} ms ${r.calls} calls  ${r.q}`);
      }
      await this.client.end();
    }
    return lines.join('\n');
  }
}
