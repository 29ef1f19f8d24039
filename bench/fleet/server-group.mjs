// Several `outpost server` processes on one PostgreSQL behind a round-robin TCP balancer
// (balancer.mjs), seen by bench/fleet.mjs as one server: one URL, their CPU and RSS summed, the
// database's size from PostgreSQL itself.
import { join } from 'node:path';
import pg from 'pg';
import { startBalancer } from './balancer.mjs';
import { freePort, ServerProcess } from './server.mjs';

/**
 * A private PostgreSQL 15 cluster (initdb in a temp dir, a unix socket only; as root it runs as the
 * `postgres` user), stopped when this process exits: the tests' own (test/support/postgres.ts), which
 * trades durability for speed (fsync off), as a disposable cluster may. Returns a fresh database's URL.
 * `statements` preloads pg_stat_statements (--probe counts the statements of a burst).
 */
export async function privatePostgres({ statements = false } = {}) {
  // Counting statements (phase-probe.mjs) needs the module loaded when the cluster starts.
  if (statements) process.env.OUTPOST_TEST_PG_PRELOAD = 'pg_stat_statements';
  const { freshDatabase } = await import('../../dist/test/support/postgres.js');
  return freshDatabase();
}

export class ServerGroup {
  constructor({ count, dataDir, adminToken, fds, store, cpuProfDir }) {
    Object.assign(this, { count, dataDir, adminToken, fds, store, cpuProfDir });
    this.servers = [];
  }

  async start() {
    if (this.servers.length === 0) {
      for (let i = 0; i < this.count; i++) {
        const { adminToken, fds, store, cpuProfDir } = this;
        const port = await freePort();
        this.servers.push(new ServerProcess({ port, dataDir: join(this.dataDir, `server-${i}`), adminToken, fds, store, cpuProfDir }));
      }
    }
    // One after another: each brings the schema up to date as it starts.
    for (const s of this.servers) await s.start();
    if (!this.proxy) {
      this.proxy = await startBalancer(this.servers.map((s) => s.port));
      this.url = `http://127.0.0.1:${this.proxy.port}`;
    }
    return this;
  }

  /** SIGTERM to every process at once: each closes its agents with 1001 and exits. */
  async stop() {
    await Promise.all(this.servers.map((s) => s.stop()));
  }

  kill() {
    for (const s of this.servers) s.kill();
  }

  /** CPU seconds and RSS, summed over the processes. */
  sample() {
    const samples = this.servers.map((s) => s.sample());
    return { cpuS: samples.reduce((n, s) => n + s.cpuS, 0), rssMB: samples.reduce((n, s) => n + s.rssMB, 0) };
  }

  async dataBytes() {
    if (!/^postgres(ql)?:/.test(this.store ?? '')) return this.servers[0].dataBytes();
    const client = new pg.Client({ connectionString: this.store });
    await client.connect();
    try {
      const { rows } = await client.query('SELECT pg_database_size(current_database())::bigint AS bytes');
      return Number(rows[0].bytes);
    } finally {
      await client.end();
    }
  }

  api(path, init) {
    return ServerProcess.prototype.api.call(this, path, init);
  }
}
