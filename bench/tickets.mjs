#!/usr/bin/env node
// Ticket delivery with real processes on loopback: a ticket raised through the agent's local API (as
// the tray and the CLI raise it) -> stored on the server and visible in GET /api/tickets. Online: the
// median over N tickets. Offline: the server is stopped, a ticket is raised, the server is started
// again; measured from the moment the agent's link is up again (the server sees the device online)
// to the ticket being visible, with the reconnect delay beside it.
// Run as root (the local API's admin token) after `npm run build`: node bench/tickets.mjs [online=50] [offline=5]
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, start, waitFor } from './lib/proc.mjs';

const { callLocalAgent } = await import(new URL('../dist/agent/local-api/client.js', import.meta.url).href);

const onlineRuns = Number(process.argv[2] ?? 50);
const offlineRuns = Number(process.argv[3] ?? 5);
const dir = mkdtempSync(join(tmpdir(), 'outpost-bench-tickets-'));
const dataDir = join(dir, 'server');
const stateDir = join(dir, 'agent');
const adminToken = randomBytes(18).toString('base64url');
const children = new Set();
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

// 55 tickets in a minute from one person is past the default hourly quotas: this measures speed.
const config = join(dir, 'outpost.json');
writeFileSync(config, JSON.stringify({ quotas: { ticketsPerRequester: 0, ticketsPerDevice: 0 } }));

let server;
async function startServer(port) {
  server = start(['server', '--port', String(port), '--data', dataDir, '--config', config], { OUTPOST_ADMIN_TOKEN: adminToken });
  children.add(server.proc);
  const url = (await waitFor(() => server.output().match(/listening on (http:\/\/\S+)/), 10_000, 'server'))[1];
  return url;
}
async function stopServer() {
  const proc = server.proc;
  const exited = new Promise((resolve) => proc.once('exit', resolve));
  proc.kill('SIGTERM');
  await exited;
  children.delete(proc);
}

const url = await startServer(0);
const port = Number(new URL(url).port);
const api = async (path) => (await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${adminToken}` } })).json();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const token = execFileSync(process.execPath, [new URL('../bin/outpost.js', import.meta.url).pathname, 'token', 'create', '--data', dataDir])
  .toString()
  .trim();
const agent = start(['agent', '--server', url, '--state', stateDir, '--token', token]);
children.add(agent.proc);

const device = await waitFor(async () => (await api('/api/devices')).items?.find((d) => d.online), 30_000, 'agent online');
await waitFor(async () => (await callLocalAgent(stateDir, 'status', {}).catch(() => null))?.connected, 30_000, 'local API');
await sleep(1500); // let the first inventory exchange settle

const raise = (subject) =>
  callLocalAgent(stateDir, 'ticket.create', { subject, description: 'Raised by bench/tickets.mjs.', priority: 'normal' });
const visible = async (tag) => (await api(`/api/tickets?q=${tag}&limit=1`)).items?.length === 1;
const newTag = () => `bench${randomBytes(5).toString('hex')}`;

// Online: local API call -> stored and listed by the server.
const answered = [];
const stored = [];
for (let i = 0; i < onlineRuns; i++) {
  const tag = newTag();
  const t0 = performance.now();
  const result = await raise(`Online ticket ${tag}`);
  answered.push(performance.now() - t0);
  if (result.status !== 'queued') throw new Error(`ticket.create answered ${JSON.stringify(result)}`);
  await waitFor(() => visible(tag), 10_000, `ticket ${tag}`);
  stored.push(performance.now() - t0);
}

// Offline: raised while the server is down, delivered once the link is back.
const afterLink = [];
const reconnect = [];
for (let i = 0; i < offlineRuns; i++) {
  await stopServer();
  await waitFor(async () => (await callLocalAgent(stateDir, 'status', {}))?.connected === false, 10_000, 'agent offline');
  const tag = newTag();
  const result = await raise(`Offline ticket ${tag}`);
  if (result.connected !== false) throw new Error('the agent still thinks it is connected');
  await startServer(port);
  const listening = performance.now();
  let linkUp = null;
  for (;;) {
    // The device is online from the server's point of view as soon as its hello is accepted.
    if (linkUp === null && (await api(`/api/devices/${device.id}`)).online) linkUp = performance.now();
    if (await visible(tag)) {
      const now = performance.now();
      afterLink.push(now - (linkUp ?? now));
      reconnect.push((linkUp ?? now) - listening);
      break;
    }
    if (performance.now() - listening > 120_000) throw new Error(`offline ticket ${tag} never arrived`);
    await sleep(2);
  }
  const copies = (await api(`/api/tickets?q=${tag}`)).items.length;
  if (copies !== 1) throw new Error(`offline ticket ${tag} stored ${copies} times`);
}

const ms = (x) => `${Math.round(x)} ms`;
const rows = [
  [`local API answers ticket.create (median of ${onlineRuns})`, ms(median(answered)), ''],
  [`online: raised -> visible in GET /api/tickets (median of ${onlineRuns})`, ms(median(stored)), '<= 300 ms'],
  [`online: slowest of ${onlineRuns}`, ms(Math.max(...stored)), ''],
  [`offline: link up -> visible (median of ${offlineRuns})`, ms(median(afterLink)), '<= 2 s'],
  [`offline: link up -> visible (slowest of ${offlineRuns})`, ms(Math.max(...afterLink)), '<= 2 s'],
  [`offline: server listening -> link up (agent backoff, median)`, ms(median(reconnect)), ''],
];
console.log('\nTickets (real server and agent on loopback; ticket raised through the agent local API)\n');
for (const [what, value, target] of rows) console.log(`${what.padEnd(66)} ${String(value).padStart(9)}   ${target}`);
process.exit(0);
