// The desk asset and posture events end to end against a real RT 5 (test/support/rt.ts): a real
// server configured for RT, an endpoint speaking the protocol (test-agent) that sends a snapshot
// with volumes and security, RT's asset carrying CPU, memory, disks, OS build, BIOS, encryption,
// volumes and software, and a volume running low raising exactly one ticket linked to the asset,
// across repeated batches, a redelivered batch and a server restart.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Snapshot, Volume } from '../shared/inventory.js';
import { silentLogger } from '../shared/log.js';
import { RtConnector } from '../server/desk/rt/connector.js';
import { parseDeskSettings } from '../server/desk/sync/settings.js';
import { deltaItem, fullItem, hintsFor, machine, pkg } from './support/server/fixtures.js';
import { startHarness, type Harness } from './support/server/harness.js';
import { TestAgent } from './support/server/test-agent.js';
import { deskDrained } from './support/quiesce.js';
import { waitFor } from './support/outpost.js';
import { rtRest, rtSkip, startRt, type RtInstance } from './support/rt.js';

const HOST = `fin-pc-${randomBytes(3).toString('hex')}`;

const vol = (mount: string, freePercent: number, sizeBytes = 100e9): Volume => ({
  mount,
  fs: 'ext4',
  sizeBytes,
  freePercent,
  freeBytes: Math.floor((sizeBytes * freePercent) / 100),
});

function snapshot(rootFree: number, ip = '10.0.0.5'): Snapshot {
  const base = machine({ hostname: HOST, serial: `SN-${HOST}`, ip, software: [pkg('Firefox', '120'), pkg('7-Zip', '23.01')] });
  return {
    ...base,
    hardware: {
      ...base.hardware,
      cpu: { manufacturer: 'Intel', brand: 'Intel Core i5-8500', cores: 6, physicalCores: 6, sockets: 1 },
      disks: [{ vendor: 'QEMU', model: 'QEMU HARDDISK', sizeBytes: 275e9, serial: 'QM00001' }],
      bios: { vendor: 'SeaBIOS', version: '1.16.2', releaseDate: '2014-04-01' },
    },
    os: { ...base.os, build: '6.1.0-27-amd64' },
    volumes: [vol('/', rootFree, 255e9), { ...vol('/boot', 70, 1e9), encrypted: false }],
    security: { diskEncryption: 'off', firewall: 'on' },
  };
}

interface RtCf {
  name: string;
  values: string[];
}

describe('the desk asset and posture events with a real Request Tracker', { skip: rtSkip() }, () => {
  let rt: RtInstance;
  let h: Harness;
  let agent: TestAgent;
  let deviceId: string;
  let secret: string;
  let assetId: string;
  let seq = 0;
  let last: Snapshot;

  /** RT's REST API as a person (root), not as the connector: what RT really holds. */
  async function asAdmin<T>(path: string): Promise<T> {
    const res = await rtRest<T>(rt, 'GET', path);
    assert.equal(res.status, 200, path);
    return res.body;
  }
  const cfs = async () => {
    const asset = await asAdmin<{ CustomFields: RtCf[] }>(`/asset/${assetId}`);
    return Object.fromEntries(asset.CustomFields.map((f) => [f.name, f.values]));
  };
  const historyLength = async () => (await asAdmin<{ total: number }>(`/asset/${assetId}/history?per_page=1`)).total;
  const lowSpaceTickets = async () =>
    (await asAdmin<{ items: { id: string }[] }>(`/tickets?query=${encodeURIComponent(`Subject LIKE 'Low disk space on ${HOST}'`)}`)).items;

  /** Sends the next snapshot as a delta (or `item` as it is), waits for its ack and for the desk queue to drain. */
  async function send(next: Snapshot | null, item?: ReturnType<typeof fullItem>): Promise<void> {
    const it = item ?? (next && deltaItem(++seq, last, next))!;
    agent.sendItems([it]);
    await agent.next('ack', 10_000);
    if (next) last = next;
    await deskDrained(h, 60_000);
  }

  before(async () => {
    rt = await startRt();
    const desk = parseDeskSettings({
      kind: 'rt',
      url: rt.url,
      user: rt.user,
      secret: rt.token,
      requesterDomain: 'example.com',
      pollSeconds: 3600,
      assetEvents: { volumeLowSpace: true },
    });
    h = await startHarness({ desk });
    agent = await TestAgent.connect(h.wsUrl);
    last = snapshot(42);
    ({ deviceId, secret } = await agent.enrol(await h.server.createEnrolmentToken(), hintsFor(last, 'inst-rt-asset')));
    await send(null, fullItem(++seq, last));
    const api = new RtConnector({ url: rt.url, user: rt.user, auth: { kind: 'token', token: rt.token } }, silentLogger);
    const found = await api.findAssets({ by: 'outpostDeviceId', value: deviceId });
    assert.equal(found.length, 1);
    assetId = found[0]!.id;
  });

  after(async () => {
    agent?.ws.close();
    await h?.close();
    await rt?.stop();
  });

  it('carries CPU, memory, disks, OS build, BIOS, encryption, volumes and software in its custom fields', async () => {
    const f = await cfs();
    assert.deepEqual(f.CPU, ['Intel Core i5-8500 (6 cores)']);
    assert.deepEqual(f.Memory, ['16 GB']);
    assert.deepEqual(f.Disks, ['QEMU HARDDISK 275.0 GB (serial QM00001)'], 'the vendor is not repeated when the model starts with it');
    assert.deepEqual(f['OS Build'], ['6.1.0-27-amd64']);
    assert.deepEqual(f.BIOS, ['SeaBIOS 1.16.2 (2014-04-01)']);
    assert.deepEqual(f['Disk Encryption'], ['off']);
    assert.deepEqual([...(f.Volumes ?? [])].sort(), ['/ 42 % free of 255.0 GB', '/boot 70 % free of 1.0 GB']);
    assert.deepEqual(f.Software, ['7-Zip 23.01\nFirefox 120']);
  });

  it('is not written again for a batch that changes nothing it shows, and is for one that does', async () => {
    const before = await historyLength();
    await send(snapshot(42, '10.0.0.77'));
    assert.equal(await historyLength(), before, 'an address change is not on the asset: no RT transaction');
    await send(snapshot(41, '10.0.0.77'));
    assert.ok((await historyLength()) > before);
    assert.ok((await cfs()).Volumes?.includes('/ 41 % free of 255.0 GB'));
  });

  it('raises exactly one low-space ticket, linked to the asset, across repeated batches, a redelivery and a restart', async () => {
    const low = snapshot(8, '10.0.0.77');
    const crossing = deltaItem(++seq, last, low);
    await send(low, crossing);
    await waitFor(async () => ((await lowSpaceTickets()).length > 0 ? true : undefined), 30_000, 'the low-space ticket');
    await send(snapshot(7, '10.0.0.77'));
    // The same batch again (an agent that never saw the ack): acknowledged, nothing new.
    agent.sendItems([crossing]);
    await agent.next('ack', 10_000);
    await h.restart();
    agent.ws.close();
    agent = await TestAgent.connect(h.wsUrl);
    await agent.hello(deviceId, secret, hintsFor(last, 'inst-rt-asset'));
    await send(snapshot(9, '10.0.0.77'));
    await send(snapshot(11, '10.0.0.77'));
    await send(snapshot(9, '10.0.0.77'));
    const tickets = await lowSpaceTickets();
    assert.equal(tickets.length, 1);
    const ticket = await asAdmin<{ Subject: string; _hyperlinks: { ref: string; type: string; id: string }[] }>(
      `/ticket/${tickets[0]!.id}`,
    );
    assert.match(ticket.Subject, new RegExp(`^Low disk space on ${HOST}: / 8 % free`));
    assert.ok(
      ticket._hyperlinks.some((l) => l.ref === 'refers-to' && l.type === 'asset' && String(l.id) === assetId),
      JSON.stringify(ticket._hyperlinks),
    );
  });
});
