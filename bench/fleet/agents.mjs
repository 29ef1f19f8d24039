// A worker process of bench/fleet.mjs: holds a share of the simulated fleet and runs the phases the
// orchestrator asks for over IPC, replying with what it measured (raw latencies; the orchestrator
// takes the percentiles over all workers).
import { deviceModel, digestsOf, rng, snapshotOf, upgradeOne } from './inventory.mjs';
import { SimAgent } from './sim-agent.mjs';

const HEARTBEAT_TIMEOUT_MS = 35_000;
/** Agents per source address: a real fleet comes from many machines, and the server caps
 * unauthenticated connections per address (32 by default). */
const AGENTS_PER_ADDRESS = 16;

class Stats {
  constructor() {
    this.reset();
  }
  reset() {
    this.attempts = 0;
    this.welcomes = 0;
    this.failures = {};
    this.drops = {};
    this.counts = {};
    this.connectMs = [];
    this.ackMs = {};
    this.spread = {};
  }
  welcomed(agent, ms) {
    this.welcomes++;
    this.connectMs.push(ms);
    this.spread[agent.spreadSeconds] = (this.spread[agent.spreadSeconds] ?? 0) + 1;
    agent.resolveWelcome?.();
  }
  failed(reason) {
    // While the server is down (restarting) a refused connection is expected, not a failure.
    if (!serverUp) reason = `while down: ${reason}`;
    this.failures[reason] = (this.failures[reason] ?? 0) + 1;
  }
  dropped(code) {
    this.drops[code] = (this.drops[code] ?? 0) + 1;
  }
  count(what) {
    this.counts[what] = (this.counts[what] ?? 0) + 1;
  }
  acked(kind, ms) {
    (this.ackMs[kind] ??= []).push(ms);
  }
  take() {
    const out = { ...this };
    this.reset();
    return out;
  }
}

const stats = new Stats();
let serverUp = true;
let agents = [];
let phase = 'init';
const states = new Map();
const random = rng(process.pid);

/** The device's digests, computed when first needed (a connect-only run never needs them). */
function stateOf(agent) {
  let st = states.get(agent);
  if (!st) states.set(agent, (st = digestsOf(agent.model)));
  return st;
}

function fullItem(agent, trigger) {
  const st = stateOf(agent);
  const snapshot = snapshotOf(agent.model);
  return { seq: agent.nextSeq(), at: new Date().toISOString(), kind: 'inventory.full', body: { trigger, digest: st.digest, snapshot } };
}

function deltaItem(agent) {
  const st = stateOf(agent);
  const { delta, digests, digest } = upgradeOne(agent.model, st, random);
  const item = {
    seq: agent.nextSeq(),
    at: new Date().toISOString(),
    kind: 'inventory.delta',
    body: { trigger: 'software-change', baseDigest: st.digest, digest, delta },
  };
  states.set(agent, { digests, digest });
  return item;
}

function onFullRequested(agent, afterError) {
  // Until the first-inventory phase the request is kept; later it is a resync (counted: a sign of a bug).
  if (phase === 'enrol') return;
  if (agent.outbox.some((o) => o.item.kind === 'inventory.full')) return;
  stats.count(afterError ? 'resync after an error' : 'full snapshot asked for');
  agent.enqueue([fullItem(agent, 'resync')]);
}

const outstanding = () => agents.reduce((n, a) => n + a.outbox.length, 0);
const tick = () => new Promise((r) => setImmediate(r));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function allAcked() {
  while (outstanding() > 0) await sleep(100);
}

const handlers = {
  async init({ url, token, from, to }) {
    for (let i = from; i < to; i++) {
      const model = deviceModel(i);
      const a = Math.floor(i / AGENTS_PER_ADDRESS) + 1;
      const localAddress = `127.${1 + (a >> 16)}.${(a >> 8) & 255}.${a & 255}`;
      const agent = new SimAgent({ index: i, url, token, localAddress, stats, model, onFullRequested });
      agents.push(agent);
      if (i % 50 === 0) await tick();
    }
    setInterval(() => {
      const now = performance.now();
      for (const a of agents) a.checkHeartbeat(now, HEARTBEAT_TIMEOUT_MS);
    }, 5000).unref();
    return { agents: agents.length };
  },
  async enrol({ concurrency }) {
    phase = 'enrol';
    let next = 0;
    const lane = async () => {
      while (next < agents.length) {
        const agent = agents[next++];
        await new Promise((resolve) => {
          agent.resolveWelcome = resolve;
          agent.connect();
        });
        agent.resolveWelcome = undefined;
      }
    };
    await Promise.all(Array.from({ length: concurrency }, lane));
    return {};
  },
  async firstInventory({ perSecond }) {
    phase = 'run';
    const started = performance.now();
    for (let i = 0; i < agents.length; i++) {
      // Paced: device i starts at i / perSecond seconds (a rollout); unpaced: all at once.
      if (perSecond) while (performance.now() - started < (i / perSecond) * 1000) await sleep(20);
      agents[i].enqueue([fullItem(agents[i], 'startup')]);
      if (i % 20 === 0) await tick();
    }
    await allAcked();
    return {};
  },
  async steady({ seconds, perMinute }) {
    const end = performance.now() + seconds * 1000;
    const perSecond = (agents.length * perMinute) / 60;
    let owed = 0;
    let sent = 0;
    while (performance.now() < end) {
      owed += perSecond / 10;
      for (; owed >= 1; owed--, sent++) {
        const agent = agents[Math.floor(random() * agents.length)];
        agent.enqueue([deltaItem(agent)]);
      }
      await sleep(100);
    }
    await allAcked();
    return { sent };
  },
  async burst() {
    for (let i = 0; i < agents.length; i++) {
      agents[i].enqueue([deltaItem(agents[i])]);
      if (i % 100 === 0) await tick();
    }
    await allAcked();
    return { sent: agents.length };
  },
  async serverUp({ up }) {
    serverUp = up;
    return {};
  },
  async status() {
    return { ready: agents.filter((a) => a.ready).length, outstanding: outstanding(), failures: stats.failures, counts: stats.counts };
  },
  async stats() {
    return stats.take();
  },
  async stop() {
    for (const a of agents) a.stop();
    setTimeout(() => process.exit(0), 200);
    return {};
  },
};

process.on('message', async ({ id, cmd, args }) => {
  try {
    process.send({ id, ok: true, result: await handlers[cmd](args ?? {}) });
  } catch (err) {
    process.send({ id, ok: false, error: err.stack ?? String(err) });
  }
});
process.on('disconnect', () => process.exit(0));
