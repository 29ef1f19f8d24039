// Moving a fleet from SQLite to PostgreSQL, as the README's "Moving to PostgreSQL" tells an admin:
// a server on its SQLite store takes devices, inventory and its history, tickets with notes and an
// attachment, a template, a package and a deployment with its steps; it stops; `outpost store copy`
// copies the store into a fresh PostgreSQL (a private cluster this test starts); a server process on
// that database and the same data directory then answers the API exactly as the SQLite one did, its
// agents come back with the credentials they hold, and a new deployment is signed with the key they
// pinned. A second copy into the now-used database is refused and changes nothing.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { signedByServer } from '../agent/deploy/verify.js';
import type { Item } from '../shared/protocol.js';
import type { Snapshot } from '../shared/inventory.js';
import { freshDatabase } from './support/postgres.js';
import { runToEnd, startServer, tempDir, type ServerProc } from './support/outpost.js';
import { deltaItem, fullItem, hintsFor, machine, pkg } from './support/server/fixtures.js';
import { startHarness, type Harness } from './support/server/harness.js';
import { TestAgent } from './support/server/test-agent.js';
import { attachmentItem, createItem, noteItem } from './support/server/ticket-fixtures.js';

const ADMIN_TOKEN = 'copy-test-admin-token-0123456789';
const JSON_HEADERS = { 'content-type': 'application/json' };
const INSTALLER = Buffer.from('!<arch>\nnot really a deb, but bytes with a sha256\n');

interface Enrolled {
  deviceId: string;
  secret: string;
  deployKey: string;
  snapshot: Snapshot;
  installId: string;
}

type Api = (path: string, init?: RequestInit) => Promise<{ status: number; body: unknown }>;

/** Every answer an admin or the console reads about the fleet, by path. */
async function fleetAnswers(api: Api, devices: readonly string[], tickets: readonly number[], deployments: readonly string[]) {
  const paths = [
    '/api/devices',
    '/api/software',
    '/api/tickets',
    '/api/deployments',
    '/api/templates',
    '/api/packages',
    '/api/prohibited',
    '/api/tokens',
    ...devices.flatMap((id) => [
      `/api/devices/${id}`,
      `/api/devices/${id}/software`,
      `/api/devices/${id}/changes`,
      `/api/devices/${id}/tickets`,
      `/api/devices/${id}/logbook`,
    ]),
    ...tickets.map((id) => `/api/tickets/${id}`),
    ...deployments.map((id) => `/api/deployments/${id}`),
  ];
  const answers: Record<string, unknown> = {};
  for (const path of paths) {
    const { status, body } = await api(path);
    assert.equal(status, 200, `${path}: ${JSON.stringify(body)}`);
    answers[path] = body;
  }
  return answers;
}

describe('moving a fleet from SQLite to PostgreSQL (outpost store copy)', () => {
  const data = tempDir('outpost-copy-e2e-');
  let sqliteServer: Harness;
  let pgServer: ServerProc;
  let store: string;
  const fleet: Enrolled[] = [];
  const tickets: number[] = [];
  const deployments: string[] = [];
  let before_: Record<string, unknown>;
  let copyOutput: string;

  const harnessApi: Api = (path, init) => sqliteServer.api<unknown>(path, init);

  /** A device that enrols, sends its inventory and a change, and raises a ticket with an attachment and a note. */
  async function enrolDevice(n: number): Promise<Enrolled> {
    const agent = await TestAgent.connect(sqliteServer.wsUrl);
    const snapshot = machine({
      hostname: `pc-${n}`,
      serial: `SN-${n}`,
      macs: [`3c:52:82:00:00:0${n}`],
      software: [pkg('bash', '5.2'), pkg(`tool-${n}`, '1.0')],
    });
    const installId = `install-${n}`;
    agent.send({
      type: 'enrol',
      protocol: 3,
      agentVersion: 'test',
      token: await sqliteServer.server.createEnrolmentToken(),
      hints: hintsFor(snapshot, installId),
    });
    const { deviceId, secret, deployKey } = await agent.next('enrolled');
    await agent.next('welcome');
    const after = { ...snapshot, software: [...snapshot.software, pkg('curl', `8.${n}`)] };
    const items: Item[] = [
      fullItem(1, snapshot),
      deltaItem(2, snapshot, after),
      createItem(3, `ref-copy-${n}`, { subject: `Printer ${n} jams`, attachments: 1 }),
      attachmentItem(4, `ref-copy-${n}`, 'jam.log', Buffer.from(`paper jam ${n}\n\0binary`)),
      noteItem(5, `ref-copy-${n}`, `note-copy-${n}`, 'It jammed again after lunch.'),
    ];
    for (const item of items) {
      agent.sendItems([item]);
      await agent.next('ack');
    }
    await agent.close();
    return { deviceId, secret, deployKey: deployKey!, snapshot: after, installId };
  }

  before(async () => {
    sqliteServer = await startHarness({ adminToken: ADMIN_TOKEN }, data);
    for (const n of [1, 2, 3]) fleet.push(await enrolDevice(n));
    const post = (path: string, body: unknown) => harnessApi(path, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(body) });
    // IT's side: a note and a status on a ticket, a template, a prohibited name, a package and a deployment.
    const listed = (await harnessApi('/api/tickets')).body as { items: { id: number }[] };
    tickets.push(...listed.items.map((t) => t.id));
    await post(`/api/tickets/${tickets[0]}/notes`, { text: 'Roller ordered.', visibility: 'customer' });
    await harnessApi(`/api/tickets/${tickets[1]}`, {
      method: 'PATCH',
      headers: JSON_HEADERS,
      body: JSON.stringify({ status: 'resolved' }),
    });
    assert.equal(
      (await post('/api/templates', { name: 'Printer problem', fields: [{ type: 'text', key: 'printer', label: 'Which printer' }] }))
        .status,
      201,
    );
    assert.equal((await post('/api/prohibited', { pattern: 'miner-*' })).status, 201);
    const file = await harnessApi('/api/packages/files?name=tool_1.0_all.deb', {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: INSTALLER,
    });
    const sha256 = (file.body as { sha256: string }).sha256;
    const created = await post('/api/packages', { name: 'Tool', version: '1.0', installer: 'deb', sha256, detection: { name: 'tool' } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const packageId = (created.body as { id: string }).id;
    const deployment = await post('/api/deployments', { packageId, targets: { deviceIds: [fleet[0]!.deviceId, fleet[1]!.deviceId] } });
    assert.equal(deployment.status, 201, JSON.stringify(deployment.body));
    deployments.push((deployment.body as { id: string }).id);
    before_ = await fleetAnswers(
      harnessApi,
      fleet.map((d) => d.deviceId),
      tickets,
      deployments,
    );
    await sqliteServer.close(); // step 1: stop the SQLite server

    store = await freshDatabase({ schema: false }); // step 0: createdb (empty)
    const copy = await runToEnd(['store', 'copy', '--from', data, '--to', store]); // step 2
    assert.equal(copy.code, 0, copy.output);
    copyOutput = copy.stdout;
    // step 3: the server on PostgreSQL, same data directory (signing key, package files)
    pgServer = await startServer(data, {
      adminToken: ADMIN_TOKEN,
      env: { OUTPOST_STORE: store, OUTPOST_PROCESS_HEARTBEAT_SECONDS: '2', OUTPOST_PROCESS_LEASE_SECONDS: '6' },
    });
  });

  after(async () => {
    await pgServer?.stop();
    if (!copyOutput) await sqliteServer?.close(); // a failure before the move leaves it running
  });

  it('prints each table with its count and says every count matched', () => {
    assert.match(copyOutput, /^Copying .* \(schema version \d+, \d+ tables, \d+ rows\) into postgresql:/m);
    assert.match(copyOutput, /^ {2}devices: 3 rows$/m);
    assert.match(copyOutput, /^ {2}tickets: 3 rows$/m);
    assert.match(copyOutput, /^ {2}ticket_attachments: 3 rows$/m);
    assert.match(copyOutput, /^ {2}deployment_targets: 2 rows$/m);
    assert.match(copyOutput, /^Copied \d+ rows in \d+ tables; every table's count matches\./m);
  });

  it('serves the same devices, software, history, tickets, deployments and settings as the SQLite server did', async () => {
    const afterCopy = await fleetAnswers(
      (path, init) => pgServer.api(path, init),
      fleet.map((d) => d.deviceId),
      tickets,
      deployments,
    );
    for (const path of Object.keys(before_)) assert.deepEqual(afterCopy[path], before_[path], path);
    const attachment = (before_[`/api/tickets/${tickets[0]}`] as { attachments: { id: number }[] }).attachments[0]!;
    const bytes = await fetch(`${pgServer.url}/api/tickets/${tickets[0]}/attachments/${attachment.id}`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    assert.equal(bytes.status, 200);
    assert.match(Buffer.from(await bytes.arrayBuffer()).toString('utf8'), /^paper jam \d\n\0binary$/);
    assert.match(pgServer.output(), /heartbeat every 2 s, dead after 6 s of silence/, 'the fleet tuning settings reached the server');
  });

  it('takes the agents back with the secrets they hold, and signs a new deployment with the key they pinned', async () => {
    const device = fleet[2]!;
    const agent = await TestAgent.connect(`${pgServer.url.replace(/^http/, 'ws')}/agent`);
    try {
      await agent.hello(device.deviceId, device.secret, hintsFor(device.snapshot, device.installId));
      const packages = (await pgServer.api<{ items: { id: string }[] }>('/api/packages')).body.items;
      const res = await pgServer.api<{ id: string }>('/api/deployments', {
        method: 'POST',
        headers: JSON_HEADERS,
        body: JSON.stringify({ packageId: packages[0]!.id, targets: { deviceIds: [device.deviceId] } }),
      });
      assert.equal(res.status, 201);
      const msg = await agent.next('deploy', 10_000);
      assert.ok(signedByServer(msg.command, msg.signature, device.deployKey), 'signed with the key from the shared data directory');
      // A new ticket takes the next number, past every copied one.
      agent.sendItems([createItem(1_000, 'ref-after-move', { subject: 'After the move' })]);
      await agent.next('ack');
      const listed = (await pgServer.api<{ items: { id: number; subject: string }[] }>('/api/tickets')).body.items;
      const moved = listed.find((t) => t.subject === 'After the move');
      assert.ok(moved && moved.id > Math.max(...tickets), `new ticket ${moved?.id} after ${tickets.join(', ')}`);
    } finally {
      await agent.close();
    }
  });

  it('refuses to copy into the database now in use, with its code, and changes nothing', async () => {
    const again = await runToEnd(['store', 'copy', '--from', data, '--to', store]);
    assert.equal(again.code, 1);
    assert.match(
      again.output,
      /outpost: The PostgreSQL database already holds data \(.*devices.*\): a server ran on it\. Nothing was copied.*\(E_STORE_NOT_EMPTY\)$/m,
    );
    const devices = (await pgServer.api<{ total: number }>('/api/devices')).body.total;
    assert.equal(devices, 3);
  });
});
