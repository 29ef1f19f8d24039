// Inventory breadth (issue 18), end to end on this Linux machine: a real agent and server, a
// loop-mounted ext4 filesystem made by this test (as root), a ServiceDesk Plus desk (the contract
// server built from SDP's documentation, test/desk/sdp) with the volume-low-space event on, and the
// console in Chromium. Filled past 90 %, the volume shows in the device's inventory with its
// quantised free space, the device list's "Under 10 % free" filter finds the device (API and
// console), the device page shows the volume as low, and the desk gets exactly one low-space
// ticket for that mount, linked to the device's workstation, however many scans and writes follow.
// The disk of this VM (no disk layout here) is reported from its block devices. The mount is
// undone in after().
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page as BrowserPage } from 'playwright-core';
import type { DeviceDetailJson, DeviceSummaryJson, Page } from '../shared/http-api.js';
import { apiQueryFromView, viewFromSearch } from '../console/src/lib/device-query.js';
import { SdpContractServer } from './desk/sdp/contract-server.js';
import { checkPage, fillSignIn, openConsoleBrowser } from './support/console.js';
import {
  createToken,
  runToEnd,
  startAgent,
  startServer,
  tempDir,
  waitFor,
  waitForDevice,
  type AgentProc,
  type DeviceSummary,
  type ServerProc,
} from './support/outpost.js';
import { agentSettled, deskDrained } from './support/quiesce.js';
import { deadline } from './support/deadline.js';

const SDP_TECHNICIAN = { id: '9001', name: 'Outpost API', email_id: 'outpost@example.com' };
const SDP_KEY = 'tech-key-breadth';
const KEY_FIELD = 'udf_sline_301';
const PASSWORD = 'correct horse battery staple';
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('inventory breadth on a real Linux machine', { timeout: deadline(300_000) }, () => {
  const dir = tempDir('outpost-breadth-');
  const mount = join(dir, 'vol');
  const image = join(dir, 'vol.img');
  const sdp = new SdpContractServer({ flavour: 'onprem', token: SDP_KEY, technicians: [SDP_TECHNICIAN], requestUdfs: [KEY_FIELD] });
  let mounted = false;
  let server: ServerProc;
  let agent: AgentProc;
  let device: DeviceSummary;
  let browser: Browser | undefined;

  const detail = async () => (await server.api<DeviceDetailJson>(`/api/devices/${device.id}`)).body;
  const volume = async () => (await detail()).volumes.find((v) => v.mount === mount);
  const listIds = async (query: Record<string, string | number | undefined>) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
    const { status, body } = await server.api<Page<DeviceSummaryJson>>(`/api/devices?${params.toString()}`);
    assert.equal(status, 200);
    return body.items.map((d) => d.id);
  };
  /** The low-space requests in SDP for the loop volume, as SDP holds them. */
  const lowSpaceRequests = () =>
    [...sdp.state.requests.values()].filter((r) => r.subject.startsWith(`Low disk space on ${device.hostname}: ${mount} `));

  /** Leaves `keepPercent` % of the loop filesystem free (by writing a new file) and syncs it to disk. */
  function fillLeaving(keepPercent: number, file: string): void {
    const fs = statfsSync(mount);
    const keep = Math.floor((fs.blocks * keepPercent) / 100) * fs.bsize;
    writeFileSync(join(mount, file), Buffer.alloc(Math.max(0, fs.bavail * fs.bsize - keep)));
    execFileSync('sync');
  }

  /** How many scans the agent logged as started at or after `since` (the log's time minus the scan's duration). */
  const scansStartedSince = (since: number) =>
    agent
      .output()
      .split('\n')
      .filter((line) => {
        try {
          const e = JSON.parse(line) as { msg?: string; time?: number; ms?: number };
          return e.msg === 'inventory scanned' && typeof e.time === 'number' && e.time - (e.ms ?? 0) >= since;
        } catch {
          return false;
        }
      }).length;

  /**
   * "Scan now", as the console asks for it; resolves once a scan that started after the request
   * (so after any write before it) has run and everything it sent has reached the desk. Any
   * trigger's scan counts: the agent folds requests that arrive together (dpkg runs elsewhere on
   * this machine trigger scans too).
   */
  async function scanAndSettle(): Promise<void> {
    const asked = Date.now();
    const scan = await server.api(`/api/devices/${device.id}/scan`, { method: 'POST' });
    assert.equal(scan.status, 202);
    await waitFor(() => scansStartedSince(asked) > 0, 60_000, 'a scan started after the request');
    await agentSettled(server, agent, device.id, 60_000);
    await deskDrained(server, 60_000);
  }

  before(async () => {
    execFileSync('dd', ['if=/dev/zero', `of=${image}`, 'bs=1M', 'count=40', 'status=none']);
    // -m 0: no blocks reserved for root, so "available" is simply what is free.
    execFileSync('mkfs.ext4', ['-q', '-F', '-m', '0', image]);
    mkdirSync(mount);
    execFileSync('mount', ['-o', 'loop', image, mount]);
    mounted = true;
    const data = join(dir, 'server');
    writeFileSync(join(dir, 'password'), `${PASSWORD}\n`, { mode: 0o600 });
    const admin = await runToEnd(['admin', 'create', 'alex', '--data', data, '--password-file', join(dir, 'password')]);
    assert.equal(admin.code, 0, admin.output);
    // The desk as README "Connecting ServiceDesk Plus" and "Asset events become tickets" set it up.
    const config = join(dir, 'outpost.json');
    const desk = {
      kind: 'sdp',
      url: await sdp.start(),
      user: SDP_TECHNICIAN.name,
      requesterDomain: 'example.com',
      pollSeconds: 3600,
      assetEvents: { volumeLowSpace: true },
      options: { requestKeyField: KEY_FIELD },
    };
    writeFileSync(config, JSON.stringify({ desk }), { mode: 0o600 });
    server = await startServer(data, { env: { OUTPOST_CONFIG: config, OUTPOST_DESK_SECRET: SDP_KEY } });
    agent = startAgent(server.url, join(dir, 'agent'), await createToken(data));
    device = await waitForDevice(server, 120_000);
  });

  after(async () => {
    await browser?.close();
    await agent?.stop();
    await server?.stop();
    await sdp.stop();
    if (mounted) execFileSync('umount', ['-l', mount]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports the new volume, then its low free space after a scan, and the low-disk filter finds the device', async () => {
    const first = await waitFor(volume, 60_000, 'the loop-mounted volume in the inventory');
    assert.ok(first.freePercent !== undefined && first.freePercent >= 90, `an empty filesystem, got ${first.freePercent}`);
    assert.ok(first.device?.startsWith('/dev/loop'));
    assert.equal(first.fs, 'ext4', 'the file system, from the mount table where lsblk (no udev here) has none');
    // Before filling: the filter agrees with the volumes the device reports (its own disk is not low).
    const lowBefore = (await detail()).volumes.some((v) => (v.freePercent ?? 100) < 10);
    assert.equal((await listIds({ lowDisk: 10 })).includes(device.id), lowBefore);
    await deskDrained(server, 60_000);
    assert.deepEqual(lowSpaceRequests(), [], 'an empty volume raises no ticket');

    fillLeaving(4, 'filler');
    await scanAndSettle();

    const low = await waitFor(
      async () => {
        const v = await volume();
        return v && v.freePercent !== undefined && v.freePercent < 10 ? v : undefined;
      },
      90_000,
      'the filled volume under 10 % free',
    );
    assert.ok(low.freeBytes !== undefined && low.sizeBytes !== undefined);
    assert.equal(low.freeBytes, Math.floor((low.sizeBytes * low.freePercent!) / 100), 'free bytes derive from the quantised percent');

    // The console's "Under 10 % free" filter, as the devices page turns it into a query.
    const consoleQuery = apiQueryFromView(viewFromSearch('?lowDisk=10'), Date.now());
    assert.equal(consoleQuery.lowDisk, 10);
    assert.ok((await listIds({ lowDisk: consoleQuery.lowDisk })).includes(device.id));
    const under1 = (await detail()).volumes.some((v) => (v.freePercent ?? 100) < 1);
    assert.equal((await listIds({ lowDisk: 1 })).includes(device.id), under1);
    const bad = await server.api('/api/devices?lowDisk=-5');
    assert.equal(bad.status, 400);

    // The change history has the step as one changed volume, not a re-sent inventory.
    const { body } = await server.api<{ items: { section: string; changed: { key: string }[] }[] }>(`/api/devices/${device.id}/changes`);
    assert.ok(body.items.some((c) => c.section === 'volumes' && c.changed.some((x) => x.key === mount)));
  });

  it('raises exactly one low-space ticket in ServiceDesk Plus for the volume, linked to the workstation, across further scans and writes', async () => {
    const percent = (await volume())!.freePercent!;
    const [ticket, ...more] = await waitFor(
      () => (lowSpaceRequests().length > 0 ? lowSpaceRequests() : undefined),
      60_000,
      'the low-space request in SDP',
    );
    assert.deepEqual(more, []);
    const subject = new RegExp(`^Low disk space on ${escapeRegExp(device.hostname)}: ${escapeRegExp(mount)} (\\d+) % free$`).exec(
      ticket!.subject,
    );
    assert.ok(subject && Number(subject[1]) < 10, ticket!.subject);
    assert.match(ticket!.description, /under the threshold of 10 %/);
    const workstations = [...sdp.state.workstations.values()].filter((w) => w.name === device.hostname);
    assert.equal(workstations.length, 1, 'one workstation for the device');
    assert.deepEqual(ticket!.assets, [workstations[0]!.id], "the request is linked to the device's workstation");

    // A scan that finds nothing new, then a write that keeps the volume low but moves it a step.
    await scanAndSettle();
    fillLeaving(2, 'filler-2');
    await scanAndSettle();
    const lower = await waitFor(
      async () => {
        const v = await volume();
        return v?.freePercent !== undefined && v.freePercent < percent ? v : undefined;
      },
      60_000,
      'the volume a step lower',
    );
    await agentSettled(server, agent, device.id, 60_000);
    await deskDrained(server, 60_000);
    assert.ok(lower.freePercent! < 10);
    assert.deepEqual(
      lowSpaceRequests().map((r) => r.id),
      [ticket!.id],
      'still the one request',
    );
    assert.deepEqual(sdp.violations, [], 'every call the server made to SDP was as documented');
  });

  it('shows the low volume on the device page and lists the device under "Under 10 % free" in the console', async () => {
    const v = (await volume())!;
    const opened = await openConsoleBrowser();
    browser = opened.browser;
    const page: BrowserPage = opened.page;
    await page.goto(server.url);
    await fillSignIn(page, 'alex', PASSWORD);
    await page.getByRole('heading', { level: 1, name: 'Devices' }).waitFor();
    await page.getByLabel('Disk space').selectOption({ label: 'Under 10 % free' });
    // The list really filters: with an encryption state this device lacks as well, it is empty;
    // back to any encryption, the device is listed again under "Under 10 % free" alone.
    const encryption = (await detail()).security.diskEncryption;
    await page.getByLabel('Disk encryption').selectOption({ label: encryption === 'on' ? 'Not encrypted' : 'Encrypted' });
    await page.getByText('No device matches these filters.').waitFor();
    await page.getByLabel('Disk encryption').selectOption({ label: 'Any' });
    const link = page.getByRole('link', { name: device.hostname, exact: true });
    await link.waitFor();
    assert.equal(new URL(page.url()).search, '?lowDisk=10', 'the filter is in the address');
    await link.click();
    await page.getByRole('heading', { level: 1, name: device.hostname }).waitFor();
    const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: mount, exact: true }) });
    await row.getByRole('meter', { name: `${mount}: ${v.freePercent} % free` }).waitFor();
    await row.getByText(`${v.freePercent} % free`).waitFor();
    await row.getByText('Low', { exact: true }).waitFor();
    await row.getByRole('cell', { name: 'ext4', exact: true }).waitFor();
    await checkPage(page, 'device-low-volume');
    assert.deepEqual(opened.problems, []);
  });

  it('reports this VM’s disk from its block devices, local accounts, and a posture', async () => {
    const d = await detail();
    assert.ok(d.hardware && d.hardware.disks.length > 0, 'the virtual disk, although the disk layout is empty');
    assert.ok(d.hardware.disks.every((x) => !/loop|zram/.test(x.device ?? '')));
    assert.ok(d.accounts.some((a) => a.name === 'root' && a.admin));
    assert.ok(d.groups.some((g) => g.name === 'sudo' && g.admin));
    assert.equal(typeof d.security.rebootRequired, 'boolean');
    assert.ok(!JSON.stringify(d.accounts).includes('$6$'), 'never a password hash');
  });
});
