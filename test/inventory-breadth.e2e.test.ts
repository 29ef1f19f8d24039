// Inventory breadth (issue 18), end to end on this Linux machine: a real agent and server, and a
// loop-mounted ext4 filesystem made by this test (as root). Filled past 90 %, the volume shows in the
// device's inventory through the API with its quantised free space, and the device list's "disk
// under 10 % free" filter, as the console builds it, finds the device; the disk of this VM (no disk
// layout here) is reported from its block devices. The mount is undone in after().
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DeviceDetailJson, DeviceSummaryJson, Page } from '../shared/http-api.js';
import { apiQueryFromView, viewFromSearch } from '../console/src/lib/device-query.js';
import {
  createToken,
  startAgent,
  startServer,
  tempDir,
  waitFor,
  waitForDevice,
  type AgentProc,
  type DeviceSummary,
  type ServerProc,
} from './support/outpost.js';

describe('inventory breadth on a real Linux machine', { timeout: 240_000 }, () => {
  const dir = tempDir('outpost-breadth-');
  const mount = join(dir, 'vol');
  const image = join(dir, 'vol.img');
  let mounted = false;
  let server: ServerProc;
  let agent: AgentProc;
  let device: DeviceSummary;

  const detail = async () => (await server.api<DeviceDetailJson>(`/api/devices/${device.id}`)).body;
  const listIds = async (query: Record<string, string | number | undefined>) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
    const { status, body } = await server.api<Page<DeviceSummaryJson>>(`/api/devices?${params.toString()}`);
    assert.equal(status, 200);
    return body.items.map((d) => d.id);
  };

  before(async () => {
    execFileSync('dd', ['if=/dev/zero', `of=${image}`, 'bs=1M', 'count=40', 'status=none']);
    // -m 0: no blocks reserved for root, so "available" is simply what is free.
    execFileSync('mkfs.ext4', ['-q', '-F', '-m', '0', image]);
    mkdirSync(mount);
    execFileSync('mount', ['-o', 'loop', image, mount]);
    mounted = true;
    server = await startServer(join(dir, 'server'));
    agent = startAgent(server.url, join(dir, 'agent'), await createToken(join(dir, 'server')));
    device = await waitForDevice(server, 120_000);
  });

  after(async () => {
    await agent?.stop();
    await server?.stop();
    if (mounted) execFileSync('umount', ['-l', mount]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports the new volume, then its low free space after a scan, and the low-disk filter finds the device', async () => {
    const first = await waitFor(
      async () => (await detail()).volumes.find((v) => v.mount === mount),
      60_000,
      'the loop-mounted volume in the inventory',
    );
    assert.ok(first.freePercent !== undefined && first.freePercent >= 90, `an empty filesystem, got ${first.freePercent}`);
    assert.ok(first.device?.startsWith('/dev/loop'));
    // Before filling: the filter agrees with the volumes the device reports (its own disk is not low).
    const lowBefore = (await detail()).volumes.some((v) => (v.freePercent ?? 100) < 10);
    assert.equal((await listIds({ lowDisk: 10 })).includes(device.id), lowBefore);

    // Fill it until under 5 % is free.
    const fs = statfsSync(mount);
    const keep = Math.floor(fs.blocks * 0.04) * fs.bsize;
    writeFileSync(join(mount, 'filler'), Buffer.alloc(Math.max(0, fs.bavail * fs.bsize - keep)));
    execFileSync('sync');
    const scan = await server.api(`/api/devices/${device.id}/scan`, { method: 'POST' });
    assert.equal(scan.status, 202);

    const low = await waitFor(
      async () => {
        const v = (await detail()).volumes.find((x) => x.mount === mount);
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
