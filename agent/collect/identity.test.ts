import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Snapshot } from '../../shared/inventory.js';
import { IdentityHintsSchema } from '../../shared/inventory.js';
import { FakeHost } from '../../test/fakes/host.js';
import { identityHints, randomInstallId, readInstallId } from './identity.js';

const INSTALL_ID = 'a'.repeat(64);

function readIfThere(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

function snapshot(overrides: Partial<Snapshot['hardware']>, network: Snapshot['network']): Snapshot {
  return {
    hardware: { memory: { modules: [] }, disks: [], graphics: [], ...overrides },
    os: { platform: 'linux', hostname: 'lt-0042' },
    network,
    users: [],
    software: [],
  };
}

const nic = (name: string, mac: string | undefined, virtual = false): Snapshot['network'][number] => ({
  name,
  ...(mac ? { mac } : {}),
  ipv4: [],
  ipv6: [],
  virtual,
});

describe('identityHints', () => {
  it('offers the serial, UUID, hostname and the MACs of physical adapters only', () => {
    const hints = identityHints(
      snapshot({ serial: '4XK9QF3', uuid: '4c4c4544-0058-4b10-8039-b4c04f514633' }, [
        nic('wlp2s0', 'a4:c3:f0:55:66:77'),
        nic('enp0s31f6', '48:2a:e3:10:20:30'),
        nic('docker0', '02:42:6b:1c:9e:01', true),
        nic('vboxnet0', '0a:00:27:00:00:00'), // a VirtualBox MAC the collector did not flag
        nic('tun0', undefined),
        nic('eth0', '02:fc:00:00:00:01'), // Firecracker gives every guest this one
        nic('wlan1', 'da:a1:19:3c:5e:0f'), // a randomised Wi-Fi address
      ]),
      INSTALL_ID,
    );
    assert.deepEqual(hints, {
      installId: INSTALL_ID,
      hostname: 'lt-0042',
      serial: '4XK9QF3',
      uuid: '4c4c4544-0058-4b10-8039-b4c04f514633',
      macs: ['48:2a:e3:10:20:30', 'a4:c3:f0:55:66:77'],
    });
    assert.ok(IdentityHintsSchema.safeParse(hints).success);
  });

  it('never offers junk, even from a snapshot that carries it', () => {
    const hints = identityHints(
      snapshot({ serial: 'System Serial Number', uuid: 'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF' }, [
        nic('eth0', '00:00:00:00:00:00'),
        nic('eth1', '00:15:5d:00:00:01'),
      ]),
      INSTALL_ID,
    );
    assert.deepEqual(hints, { installId: INSTALL_ID, hostname: 'lt-0042', macs: [] });
  });
});

describe('readInstallId', () => {
  it("hashes the OS's machine id with sha256 as node-machine-id does by default", async () => {
    const raw = '3d1219c7c4c5404aaa1f6d2a48adfda4';
    const asked: boolean[] = [];
    const id = await readInstallId({
      host: new FakeHost('linux', 'vm'),
      machineId: async (original) => {
        asked.push(original);
        return `${raw}\n`;
      },
    });
    assert.equal(id, createHash('sha256').update(raw).digest('hex'));
    assert.deepEqual(asked, [true], 'the raw id is read so that it can be checked before hashing');
  });

  it('gives undefined when the OS has no machine id and node-machine-id falls back to the hostname', async () => {
    const id = await readInstallId({ host: new FakeHost('linux', 'build-box'), machineId: async () => 'build-box' });
    assert.equal(id, undefined);
  });

  it('gives undefined when reading the id fails', async () => {
    const id = await readInstallId({
      host: new FakeHost('linux'),
      machineId: async () => {
        throw new Error('Command failed: cat /etc/machine-id');
      },
    });
    assert.equal(id, undefined);
  });

  const machineId = ['/var/lib/dbus/machine-id', '/etc/machine-id'].map(readIfThere).find(Boolean);
  const noRealId =
    process.platform !== 'linux'
      ? 'reads a Linux machine id; run it on Linux'
      : !machineId && 'this machine has no /etc/machine-id; make one with systemd-machine-id-setup (or dbus-uuidgen --ensure)';
  it('reads this machine for real through node-machine-id', { skip: noRealId }, async () => {
    const host = new FakeHost('linux', 'no-such-host-name');
    assert.equal(await readInstallId({ host }), createHash('sha256').update(machineId!).digest('hex'));
  });
});

describe('randomInstallId', () => {
  it('has the shape of a hashed machine id and differs each time', () => {
    const a = randomInstallId();
    assert.match(a, /^[0-9a-f]{64}$/);
    assert.notEqual(a, randomInstallId());
    assert.ok(IdentityHintsSchema.shape.installId.safeParse(a).success);
  });
});
