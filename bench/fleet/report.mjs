// bench/fleet.mjs's figures: an API prober running through every phase, percentiles and the table.

export function percentile(xs, p) {
  if (xs.length === 0) return NaN;
  const s = Float64Array.from(xs).sort();
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

export const fmtMs = (ms) => (Number.isNaN(ms) ? '-' : ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(ms < 10 ? 1 : 0)} ms`);

/** GET /api/devices (and /api/software once it is timed alone) every 250 ms, one at a time. */
export class Prober {
  constructor(server) {
    this.server = server;
    this.software = true;
    this.devices = [];
    this.softwareMs = [];
    this.running = false;
  }
  start() {
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        await this.probe('/api/devices?limit=50', this.devices);
        if (this.software) await this.probe('/api/software?limit=50', this.softwareMs);
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
  }
  async probe(path, into) {
    const t = performance.now();
    try {
      await this.server.api(path);
      into.push(performance.now() - t);
    } catch {
      // the server is restarting: not a latency
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  async timeOnce(path) {
    const t = performance.now();
    await this.server.api(path);
    return performance.now() - t;
  }
  mark() {
    this.devices = [];
    this.softwareMs = [];
  }
  take() {
    const out = { devices: this.devices, software: this.softwareMs };
    this.mark();
    return out;
  }
  stop() {
    this.running = false;
  }
}

export class Table {
  rows = [];
  add(row) {
    this.rows.push(row);
  }
  print() {
    const head = [
      'phase',
      'ops',
      'wall',
      'ops/s',
      'ack p50',
      'ack p99',
      'CPU/op',
      'srv CPU',
      'RSS max',
      'failed',
      'devices p50/p99/max',
      'software p50/p99/max',
      'loop delay p99/max',
    ];
    const lines = this.rows.map((r) => {
      const m = r.merged;
      const acks = r.name.startsWith('enrol') || r.name.startsWith('restart') ? m.connectMs : m.ackMs;
      const failed = Object.entries(m.failures)
        .filter(([k]) => !k.startsWith('while down'))
        .reduce((n, [, v]) => n + v, 0);
      const api = (xs) =>
        xs.length ? `${fmtMs(percentile(xs, 50))}/${fmtMs(percentile(xs, 99))}/${fmtMs(Math.max(...xs))} (${xs.length})` : '-';
      return [
        `${r.name} (${r.what})`,
        String(r.ops),
        `${r.wallS.toFixed(1)} s`,
        (r.ops / r.wallS).toFixed(0),
        fmtMs(percentile(acks, 50)),
        fmtMs(percentile(acks, 99)),
        // A handful of operations in a minute would put the idle server's heartbeats on each.
        r.ops >= 100 ? `${((r.cpuS * 1000) / r.ops).toFixed(2)} ms` : '-',
        `${r.cpuS.toFixed(1)} s`,
        `${r.rss.toFixed(0)} MB`,
        String(failed),
        api(r.api.devices),
        api(r.api.software),
        r.loop ? `${fmtMs(r.loop.p99)}/${fmtMs(r.loop.max)}` : '-',
      ];
    });
    const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
    const fmt = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
    console.log(fmt(head));
    for (const l of lines) console.log(fmt(l));
    console.log('(enrol and storm: "ack" is attempt -> welcome; failed: attempts that failed while the server was up;');
    console.log(" loop delay: how late the server's 5 ms event-loop timer fired, i.e. its longest turns, bench/fleet/loop-stats.mjs)");
  }
}
