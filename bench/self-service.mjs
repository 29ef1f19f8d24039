#!/usr/bin/env node
// Self-service approval to installed, with a real Request Tracker 5 (test/support/rt.ts starts a
// private one), a real server started with --desk rt and a real agent installing real .debs on this
// machine, all on loopback. Each run: a package requested through the agent's local API (as the
// tray's Get software asks), its RT ticket approved in RT's "Outpost approval" field by a person, then
// timed from that approval to: the server noticing it (a deployment made: the approval poll, every
// 6 s here, the shortest setting; 3 minutes by default), the agent's install steps (its own clock, the
// same machine's), the install reported to the server, the ticket resolved on the server, and the RT
// ticket resolved with the deployment's notes. Each approval waits a random part of the poll interval
// first, so the samples do not lock onto the poll timer's phase.
// Run as root after `npm run build`: node bench/self-service.mjs [runs=3]
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { tsImport } from 'tsx/esm/api';
import { BIN, buildDeb, median, start, waitFor } from './lib/proc.mjs';
import { rtAsAdmin, rtServerArgs } from './lib/rt-desk.mjs';

const { startRt, rtMissing } = await tsImport('../test/support/rt.ts', import.meta.url);
const { callLocalAgent } = await import(new URL('../dist/agent/local-api/client.js', import.meta.url).href);

const runs = Number(process.argv[2] ?? 3);
const POLL_MINUTES = 0.1;
const missing = rtMissing();
if (missing) {
  console.log(`skipped: ${missing}`);
  process.exit(0);
}
if (process.getuid?.() !== 0) {
  console.error('run as root: the agent installs .deb packages with apt/dpkg');
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), 'outpost-bench-self-service-'));
const dataDir = join(dir, 'server');
const stateDir = join(dir, 'agent');
const adminToken = randomBytes(18).toString('base64url');
const children = new Set();
const installed = [];
let rt;
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const load = () =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');

async function main() {
  rt = await startRt();
  const asPerson = rtAsAdmin(rt);

  const server = start(rtServerArgs({ dir, dataDir, rt, pollSeconds: 5, extra: ['--desk-approval-poll', String(POLL_MINUTES)] }), {
    OUTPOST_ADMIN_TOKEN: adminToken,
  });
  children.add(server.proc);
  const url = (await waitFor(() => server.output().match(/listening on (http:\/\/\S+)/), 20_000, 'server'))[1];
  const api = async (path, init = {}) => {
    const res = await fetch(`${url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${adminToken}`, ...(init.headers ?? {}) },
    });
    return res.json();
  };

  // One self-service .deb per run (a package already installed would be found, not installed).
  const packages = [];
  for (let i = 0; i <= runs; i++) {
    const name = `outpost-bench-ss-${randomBytes(3).toString('hex')}-${i}`;
    const deb = buildDeb(dir, name, '1.0.0');
    const file = await api(`/api/packages/files?name=${name}.deb`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: readFileSync(deb),
    });
    const pkg = await api('/api/packages', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name,
        version: '1.0.0',
        installer: 'deb',
        sha256: file.sha256,
        detection: { name, version: '1.0.0' },
        selfService: true,
        retries: 0,
        timeoutSeconds: 600,
      }),
    });
    if (!pkg.id) throw new Error(`package not stored: ${JSON.stringify(pkg)}`);
    packages.push({ id: pkg.id, name });
  }

  const token = runOutpost(['token', 'create', '--data', dataDir]).trim();
  const agent = start(['agent', '--server', url, '--state', stateDir, '--token', token]);
  children.add(agent.proc);
  const device = await waitFor(async () => (await api('/api/devices')).items?.find((d) => d.online), 30_000, 'agent online');
  await waitFor(
    async () => ((await callLocalAgent(stateDir, 'software.catalog', {}).catch(() => null))?.items.length ?? 0) === packages.length,
    60_000,
    'the self-service catalog on the agent',
  );

  const rows = { noticed: [], queued: [], installing: [], succeeded: [], reported: [], resolved: [], endpoint: [], rtResolved: [] };
  const stages = [];
  for (let i = 0; i <= runs; i++) {
    const pkg = packages[i];
    await callLocalAgent(stateDir, 'software.request', { kind: 'install', packageId: pkg.id, reason: 'bench' });
    const ticket = await waitFor(
      async () => {
        const list = await api(`/api/tickets?q=${encodeURIComponent(pkg.name)}&limit=1`);
        const id = list.items?.[0]?.id;
        if (id === undefined) return undefined;
        const t = await api(`/api/tickets/${id}`);
        return t.deskNumber ? t : (await sleep(100), undefined);
      },
      60_000,
      `${pkg.name}'s request in RT`,
    );
    await sleep(Math.random() * POLL_MINUTES * 60_000);
    const t0 = Date.now();
    await asPerson('PUT', `/ticket/${ticket.deskNumber}`, { CustomFields: { 'Outpost approval': 'approved' } });
    const deployment = await waitFor(
      async () => (await api(`/api/deployments?deviceId=${device.id}`)).items?.find((d) => d.ticketId === ticket.id),
      60_000,
      'the deployment',
    );
    const tNoticed = Date.parse(deployment.createdAt);
    installed.push(pkg.name);
    let tResolved = null;
    let tEndpoint = null;
    let tRt = null;
    const target = await waitFor(
      async () => {
        // Each is stamped when its own answer was asked for: the three are not asked at once.
        let asked = Date.now();
        if (tResolved === null && (await api(`/api/tickets/${ticket.id}`)).status === 'resolved') tResolved = asked;
        asked = Date.now();
        if (tEndpoint === null) {
          const t = await callLocalAgent(stateDir, 'ticket.get', { ref: ticket.ref }).catch(() => null);
          if (t?.status === 'resolved') tEndpoint = asked;
        }
        asked = Date.now();
        if (tRt === null && (await asPerson('GET', `/ticket/${ticket.deskNumber}`)).Status === 'resolved') tRt = asked;
        const d = await api(`/api/deployments/${deployment.id}`);
        const t = d.targets?.[0];
        if (t?.state === 'failed') throw new Error(`install failed: ${JSON.stringify(t)}`);
        return tResolved !== null && tEndpoint !== null && tRt !== null && t?.state === 'succeeded' ? t : (await sleep(50), undefined);
      },
      300_000,
      'installed and resolved',
    );
    const at = (state, field = 'at') => Date.parse(target.steps.find((s) => s.state === state)[field]);
    const stage = {
      noticed: tNoticed - t0,
      queued: at('queued') - t0,
      installing: at('installing') - t0,
      succeeded: at('succeeded') - t0,
      reported: at('succeeded', 'receivedAt') - t0,
      resolved: tResolved - t0,
      endpoint: tEndpoint - t0,
      rtResolved: tRt - t0,
    };
    if (i === 0) continue; // warm-up: the first install pays apt's and the desk's first look-ups
    stages.push(stage);
    for (const k of Object.keys(rows)) rows[k].push(stage[k]);
    console.log(`run ${i}: ${JSON.stringify(stage)}  load ${load()}`);
  }

  const s = (ms) => `${(ms / 1000).toFixed(1)} s`;
  const spread = (xs) => `${s(Math.min(...xs))}-${s(Math.max(...xs))}`;
  const lines = [
    ['approved in RT -> the server notices (deployment made)', rows.noticed],
    ['  -> the agent has it queued', rows.queued],
    ['  -> installing (downloaded, checked)', rows.installing],
    ['  -> installed (apt/dpkg done, agent clock)', rows.succeeded],
    ['  -> installed, as the server records it', rows.reported],
    ['  -> ticket resolved on the server', rows.resolved],
    ['  -> the endpoint sees it resolved (tray: Installed)', rows.endpoint],
    ['  -> RT ticket resolved (with the notes)', rows.rtResolved],
  ];
  const poll = ((POLL_MINUTES * 60) | 0).toString();
  console.log(`\nSelf-service: approval in RT -> installed -> resolved (real RT 5, server --desk rt, agent, real .debs; loopback)`);
  console.log(`approval poll ${poll} s (default 180 s), desk poll 5 s; median of ${runs} after a warm-up; load ${load()}\n`);
  for (const [what, xs] of lines) console.log(`${what.padEnd(58)} ${s(median(xs)).padStart(8)}   (${spread(xs)})`);
  const afterNotice = stages.map((x) => x.rtResolved - x.noticed);
  const installMs = stages.map((x) => x.succeeded - x.installing);
  console.log(`\n${'server noticed -> RT resolved (what the poll does not set)'.padEnd(58)} ${s(median(afterNotice)).padStart(8)}`);
  console.log(`${'  of which apt/dpkg installing'.padEnd(58)} ${s(median(installMs)).padStart(8)}`);
}

function runOutpost(args) {
  return execFileSync(process.execPath, [BIN, ...args]).toString();
}

let code = 0;
try {
  await main();
} catch (err) {
  console.error(err);
  code = 1;
} finally {
  for (const c of children) c.kill('SIGTERM');
  await rt?.stop();
  for (const name of installed) {
    try {
      execFileSync('dpkg', ['--purge', name], { stdio: 'ignore' });
    } catch {
      // left for the next run's purge
    }
  }
}
process.exit(code);
