#!/usr/bin/env node
// Service-desk sync with a real Request Tracker 5 (test/support/rt.ts starts a private one), a real
// server started with --desk rt and a real agent, all on loopback.
//  (a) tray ticket -> created in RT: raised through the agent's local API (as the tray raises it),
//      timed until the server's desk queue is empty (then RT's search must find its Outpost Key);
//      beside it RT's own bare REST create in the same run, and the server's share (stored on the
//      server -> in RT, and the desk job itself).
//  (b) RT status change -> visible on the endpoint (ticket.list through the local API), desk poll
//      5 s. Each change waits a random part of the poll interval first, so that the samples do not
//      lock onto the poll timer's phase.
// Run as root after `npm run build`: node bench/desk.mjs [tickets=10] [statusChanges=10]
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tsImport } from 'tsx/esm/api';
import { BIN, median, start, waitFor } from './lib/proc.mjs';
import { rtAsAdmin, rtServerArgs } from './lib/rt-desk.mjs';

// The test helper itself (TypeScript through tsx): the compiled copy in dist/ lacks initialdata.pl.
const { startRt, rtMissing } = await tsImport('../test/support/rt.ts', import.meta.url);
const { callLocalAgent } = await import(new URL('../dist/agent/local-api/client.js', import.meta.url).href);
const { deskKey } = await import(new URL('../dist/server/desk/sync/keys.js', import.meta.url).href);

const ticketRuns = Number(process.argv[2] ?? 10);
const statusRuns = Number(process.argv[3] ?? 10);
const POLL_S = 5;
const missing = rtMissing();
if (missing) {
  // Not a failure of Outpost: `npm run bench` goes on with the others.
  console.log(`skipped: ${missing}`);
  process.exit(0);
}
if (process.getuid?.() !== 0) {
  console.error('run as root: the agent local API answers root with the admin token');
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), 'outpost-bench-desk-'));
const dataDir = join(dir, 'server');
const stateDir = join(dir, 'agent');
const adminToken = randomBytes(18).toString('base64url');
const children = new Set();
let rt;
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function main() {
  rt = await startRt();
  const asAdmin = rtAsAdmin(rt);
  const rtIdsWithKey = async (key) =>
    (await asAdmin('GET', `/tickets?query=${encodeURIComponent(`'CF.{Outpost Key}' = '${key}'`)}`)).items.map((t) => t.id);

  // Debug level for the engine's "desk job done" lines (the job's own duration).
  const server = start(rtServerArgs({ dir, dataDir, rt, pollSeconds: POLL_S }), {
    OUTPOST_ADMIN_TOKEN: adminToken,
    OUTPOST_LOG_LEVEL: 'debug',
  });
  children.add(server.proc);
  const url = (await waitFor(() => server.output().match(/listening on (http:\/\/\S+)/), 20_000, 'server'))[1];
  const api = async (path) => (await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${adminToken}` } })).json();

  const token = runOutpost(['token', 'create', '--data', dataDir]).trim();
  const agent = start(['agent', '--server', url, '--state', stateDir, '--token', token]);
  children.add(agent.proc);
  const device = await waitFor(async () => (await api('/api/devices')).items?.find((d) => d.online), 30_000, 'agent online');
  await waitFor(async () => (await callLocalAgent(stateDir, 'status', {}).catch(() => null))?.connected, 30_000, 'local API');
  // The first inventory makes the RT asset; let that job finish so tickets are not queued behind it.
  await waitFor(
    async () => {
      const s = await api('/api/desk/status');
      return s.healthy && s.queued === 0 ? s : undefined;
    },
    60_000,
    'the desk queue to settle',
  );

  // RT's own create: the same fields a tray ticket carries, as the same API user with the same token
  // auth as the connector (basic auth costs RT a password hash per request).
  const bare = [];
  const bareCreate = async (i) => {
    const body = {
      Queue: 'General',
      Subject: `Bare create ${i}`,
      Content: 'Raised by bench/desk.mjs.',
      ContentType: 'text/plain',
      Requestor: 'root@example.com',
      Priority: 50,
    };
    const t = performance.now();
    const res = await fetch(`${rt.url}/REST/2.0/ticket`, {
      method: 'POST',
      headers: { Authorization: `token ${rt.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    await res.arrayBuffer();
    if (res.status !== 201) throw new Error(`RT bare create answered ${res.status}`);
    if (i > 0) bare.push(performance.now() - t);
  };

  // (a) Tray ticket -> RT, each after a bare create so that both see the same RT. One warm-up pair
  // first (lazy look-ups such as the queue, the requester and the asset).
  const raised = [];
  const inRt = [];
  const stored = [];
  const serverToRt = [];
  const jobsBefore = () => jobDurations(server.output(), 'ticket.create').length;
  for (let i = 0; i <= ticketRuns; i++) {
    await bareCreate(i);
    const tag = `bench${randomBytes(5).toString('hex')}`;
    const t0 = performance.now();
    const { ref } = await callLocalAgent(stateDir, 'ticket.create', {
      subject: `Desk bench ${tag}`,
      description: 'Raised by bench/desk.mjs.',
      priority: 'normal',
    });
    await waitFor(async () => (await api(`/api/tickets?q=${tag}&limit=1`)).items?.length === 1, 10_000, `ticket ${tag} on the server`);
    const tStored = performance.now();
    // The desk job is done once the queue is empty: the RT create has answered by then. Polling the
    // server rather than RT's search keeps the measurement from loading RT on this 2-core machine.
    const desk = await waitFor(
      async () => {
        const st = await api('/api/desk/status');
        return st.queued === 0 ? st : undefined;
      },
      30_000,
      `ticket ${tag}'s desk job`,
    );
    const tRt = performance.now();
    if (desk.failed) throw new Error(`desk job failed: ${JSON.stringify(desk.jobs)}`);
    const key = deskKey('ticket', device.id, ref);
    const [id] = await waitFor(
      async () => {
        const ids = await rtIdsWithKey(key);
        return ids.length ? ids : (await sleep(100), undefined);
      },
      10_000,
      `ticket ${tag} in RT`,
    );
    raised.push({ ref, id });
    if (i === 0) continue;
    inRt.push(tRt - t0);
    stored.push(tStored - t0);
    serverToRt.push(tRt - tStored);
  }
  await waitFor(() => jobsBefore() >= ticketRuns + 1 || undefined, 10_000, 'the desk job log lines');
  const jobMs = jobDurations(server.output(), 'ticket.create').slice(1);

  // (b) RT status change -> the endpoint's ticket.list.
  const toEndpoint = [];
  for (let i = 0; i < statusRuns; i++) {
    const { ref, id } = raised[(i % (raised.length - 1)) + 1];
    const status = (await asAdmin('GET', `/ticket/${id}`)).Status === 'resolved' ? 'open' : 'resolved';
    await sleep(Math.random() * POLL_S * 1000);
    await asAdmin('PUT', `/ticket/${id}`, { Status: status });
    const t0 = performance.now();
    await waitFor(
      async () => {
        const { items } = await callLocalAgent(stateDir, 'ticket.list', {});
        return items.find((t) => t.ref === ref)?.status === status || undefined;
      },
      30_000,
      `status ${status} of RT #${id} on the endpoint`,
    );
    toEndpoint.push(performance.now() - t0);
  }

  const ms = (x) => `${Math.round(x)} ms`;
  const rows = [
    [`RT bare REST create, POST /ticket (median of ${ticketRuns})`, ms(median(bare)), '~800 ms'],
    [`ticket from the local API (where the tray starts) -> created in RT (median of ${ticketRuns})`, ms(median(inRt)), ''],
    ['  Outpost adds (local API -> RT minus bare create)', ms(median(inRt) - median(bare)), '<= 250 ms'],
    ['  local API -> stored on the server (median)', ms(median(stored)), ''],
    ['  stored on the server -> created in RT (median)', ms(median(serverToRt)), ''],
    [`  desk job run, asset look-up + create (median of ${jobMs.length})`, ms(median(jobMs)), ''],
    [`  server's share beyond RT create (job - bare create)`, ms(median(jobMs) - median(bare)), ''],
    [`local API ticket -> RT: slowest of ${ticketRuns}`, ms(Math.max(...inRt)), ''],
    [`RT status change -> endpoint ticket.list, poll ${POLL_S} s (median of ${statusRuns})`, ms(median(toEndpoint)), '<= 7 s'],
    [`RT status change -> endpoint: slowest of ${statusRuns}`, ms(Math.max(...toEndpoint)), ''],
  ];
  console.log(`\nService desk (real RT 5 on SQLite, server with --desk rt, agent; loopback; RT start ${rt.timings.totalMs} ms)\n`);
  for (const [what, value, target] of rows) console.log(`${what.padEnd(72)} ${String(value).padStart(9)}   ${target}`);
}

/** The `ms` of each "desk job done" debug line of this kind, in log order. */
function jobDurations(output, kind) {
  const out = [];
  for (const line of output.split('\n')) {
    if (!line.includes('desk job done')) continue;
    try {
      const entry = JSON.parse(line);
      if (entry.kind === kind && typeof entry.ms === 'number') out.push(entry.ms);
    } catch {
      // not a log line
    }
  }
  return out;
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
}
process.exit(code);
