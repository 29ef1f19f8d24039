import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeHost } from '../../test/fakes/host.js';
import { canonicalJson } from '../../shared/canonical.js';
import { collectSystem, collectUsers, toOs } from './system.js';
import { CONTAINER, LAPTOP, fakeSystemInfo } from '../../test/fakes/system.js';
import { deadline } from '../../test/support/deadline.js';

describe('collectSystem', () => {
  it('fills hardware from a laptop as systeminformation reports it', async () => {
    const { hardware, failed } = await collectSystem(fakeSystemInfo(LAPTOP), new FakeHost('linux', 'lt-0042'));
    assert.deepEqual(failed, []);
    assert.equal(hardware.manufacturer, 'Dell Inc.');
    assert.equal(hardware.model, 'Latitude 7420');
    assert.equal(hardware.serial, '4XK9QF3');
    assert.equal(hardware.uuid, '4c4c4544-0058-4b10-8039-b4c04f514633', 'UUIDs are kept in lower case');
    assert.deepEqual(hardware.bios, { vendor: 'Dell Inc.', version: '1.31.0', releaseDate: '2023-09-06' });
    assert.deepEqual(hardware.chassis, { type: 'Notebook', manufacturer: 'Dell Inc.', serial: '4XK9QF3' });
    assert.deepEqual(hardware.cpu, {
      manufacturer: 'Intel',
      brand: 'Core™ i7-1185G7',
      cores: 8,
      physicalCores: 4,
      sockets: 1,
      speedMHz: 4800,
    });
    assert.equal(hardware.memory.totalBytes, 2 * 8_589_934_592, 'installed memory is the sum of the modules');
    assert.deepEqual(hardware.memory.modules[0], {
      slot: 'BANK 0',
      type: 'LPDDR4',
      manufacturer: 'Micron Technology',
      partNumber: 'MT53E1G32D2NP-046 WT:A',
      sizeBytes: 8_589_934_592,
      speedMHz: 4267,
    });
    assert.deepEqual(
      hardware.disks.map((d) => d.device),
      ['/dev/nvme0n1'],
      'zram is memory, not a disk',
    );
    assert.deepEqual(hardware.graphics, [{ vendor: 'Intel Corporation', model: 'TigerLake-LP GT2 [Iris Xe Graphics]', vramMB: 256 }]);
    assert.deepEqual(hardware.battery, {
      manufacturer: 'BYD',
      model: 'DELL 7FMXV1A',
      serial: '2201',
      designCapacityMWh: 63_000,
      healthPercent: 87,
    });
  });

  it('leaves out every junk value this container reports', async () => {
    const { hardware, os, users, network } = await collectSystem(fakeSystemInfo(CONTAINER), new FakeHost('linux', 'vm'));
    assert.equal(hardware.serial, undefined, "serial '-' is absent");
    assert.equal(hardware.uuid, undefined, 'an empty UUID is absent');
    assert.equal(hardware.sku, undefined);
    assert.equal(hardware.manufacturer, undefined);
    assert.equal(hardware.bios, undefined, 'a BIOS with no readable field is left out whole');
    assert.equal(hardware.chassis, undefined);
    assert.equal(hardware.battery, undefined);
    assert.equal(hardware.cpu?.speedMHz, undefined, 'a speed of 0 is no speed');
    assert.deepEqual(
      hardware.memory,
      { totalBytes: 25_276_063_744, modules: [] },
      'the stand-in module of dmidecode-less machines is not a module',
    );
    assert.deepEqual(users, []);
    assert.equal(os.fqdn, 'vm');
    assert.equal(os.domain, undefined);
    assert.deepEqual(
      network.map((n) => n.name),
      ['eth0'],
      'loopback is skipped',
    );
  });

  it('treats all-zero and all-F UUIDs and OEM placeholders as absent', async () => {
    for (const junk of ['00000000-0000-0000-0000-000000000000', 'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF', '']) {
      const si = fakeSystemInfo({
        ...LAPTOP,
        system: { ...LAPTOP.system, uuid: junk, serial: 'To Be Filled By O.E.M.', model: 'System Product Name' },
      });
      const { hardware } = await collectSystem(si, new FakeHost());
      assert.equal(hardware.uuid, undefined, junk);
      assert.equal(hardware.serial, undefined);
      assert.equal(hardware.model, undefined);
    }
  });

  it('never copies volatile readings: two scans of a changing machine give the same sections', async () => {
    const host = new FakeHost('linux', 'lt-0042');
    const first = await collectSystem(fakeSystemInfo(LAPTOP), host);
    const busier = fakeSystemInfo({
      ...LAPTOP,
      // the CPU is throttled, the battery charged and wore a little, memory filled up
      cpu: { ...LAPTOP.cpu, speed: 1.2 },
      battery: { ...LAPTOP.battery, maxCapacity: 54_790, cycleCount: 188 },
      mem: { total: 16_482_529_280 },
    });
    const second = await collectSystem(busier, host);
    assert.equal(canonicalJson(second.hardware), canonicalJson(first.hardware));
    const volatile = /"(free|used|available|load|uptime|percent|isCharging|currentCapacity|cycleCount|maxCapacityMWh)"/;
    assert.doesNotMatch(JSON.stringify(second), volatile);
  });

  it('reports a call that hangs as failed instead of waiting for it', async () => {
    const si = fakeSystemInfo(LAPTOP, {
      graphics: () => new Promise(() => undefined),
      diskLayout: () => Promise.reject(new Error('lsblk crashed')),
    });
    const started = Date.now();
    const { hardware, failed } = await collectSystem(si, new FakeHost(), { timeoutMs: 50 });
    assert.ok(Date.now() - started < deadline(2_000), 'the hanging call was given up on, not waited for');
    assert.deepEqual(failed, ['diskLayout', 'graphics']);
    assert.deepEqual(hardware.graphics, []);
    assert.equal(hardware.serial, '4XK9QF3', 'the other calls still count');
  });
});

describe('toOs', () => {
  it('takes the hostname from Host and the domain from the FQDN', () => {
    const os = toOs(LAPTOP.osInfo, new FakeHost('linux', 'lt-0042'));
    assert.deepEqual(os, {
      platform: 'linux',
      distro: 'Ubuntu',
      release: '22.04.4 LTS',
      codename: 'jammy',
      kernel: '6.5.0-41-generic',
      arch: 'x64',
      hostname: 'lt-0042',
      fqdn: 'lt-0042.corp.example.com',
      domain: 'corp.example.com',
    });
  });

  it('drops the resolver placeholders localhost and localdomain', () => {
    const os = toOs({ ...LAPTOP.osInfo, fqdn: 'localhost.localdomain' }, new FakeHost('win32', 'DESKTOP-1'));
    assert.equal(os.fqdn, undefined);
    assert.equal(os.domain, undefined);
    assert.equal(os.platform, 'win32');
    assert.equal(toOs({ ...LAPTOP.osInfo, fqdn: 'pc.localdomain' }, new FakeHost()).domain, undefined);
  });
});

describe('collectUsers', () => {
  it('makes only the users call and splits DOMAIN\\user', async () => {
    const si = fakeSystemInfo({
      ...LAPTOP,
      users: [
        { user: 'CORP\\bob', tty: 'console' },
        { user: '', tty: 'pts/1' },
      ],
    });
    const { users, failed } = await collectUsers(si);
    assert.deepEqual(users, [{ name: 'bob', domain: 'CORP', terminal: 'console' }]);
    assert.deepEqual(failed, []);
    assert.deepEqual(si.calls, ['users']);
  });
});
