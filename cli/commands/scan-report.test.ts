import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { snapshotDigest } from '../../shared/digest.js';
import { SnapshotSchema, type Snapshot } from '../../shared/inventory.js';
import { silentLogger } from '../../shared/log.js';
import { withDpkgLock } from '../../test/support/deb.js';
import { jsonReport, scanThisMachine, summary } from './scan-report.js';

/** Installed as the collector counts them: a second status letter "i" (ii, hi, ri, pi). */
function installedDpkgPackages(): number {
  const out = execFileSync('dpkg-query', ['-W', '-f', '${db:Status-Abbrev}\\n'], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l[1] === 'i').length;
}
const noDpkg = !existsSync('/usr/bin/dpkg-query') && 'needs dpkg-query to count the packages: run on Debian or Ubuntu';

describe('scanThisMachine', () => {
  it('reads this machine: a valid snapshot and its digest', async () => {
    const report = await scanThisMachine(silentLogger);
    const { digest, snapshot } = report;
    const parsed = SnapshotSchema.safeParse(snapshot);
    assert.ok(parsed.success, parsed.success ? '' : parsed.error.message);
    assert.equal(digest, snapshotDigest(snapshot), 'the digest the server will compute');
    const printed = JSON.parse(jsonReport(report)) as { digest: string; snapshot: Snapshot };
    assert.deepEqual(printed, JSON.parse(JSON.stringify({ digest, snapshot })));
    assert.equal(snapshot.os.hostname, hostname());
  });

  it('reports every installed dpkg package of this machine', { skip: noDpkg }, async () => {
    // Under the tests' dpkg lock: no other test file installs or removes a package meanwhile.
    const [{ snapshot }, dpkg] = await withDpkgLock(async () => [await scanThisMachine(silentLogger), installedDpkgPackages()] as const);
    assert.ok(dpkg > 0);
    assert.equal(snapshot.software.filter((s) => s.source === 'dpkg').length, dpkg);
  });
});

describe('summary', () => {
  it('shows what a person asks first: name, OS, model, serial, CPU, memory and packages by source', () => {
    const text = summary({ digest: 'abc123', snapshot: handSnapshot(), canonical: '', unreadable: ['flatpak'] });
    assert.match(text, /^Hostname +tp-14 \(tp-14\.example\.org\)$/m);
    assert.match(text, /^OS +Ubuntu 22\.04\.4 LTS x64$/m);
    assert.match(text, /^Model +LENOVO 20W0004GGE$/m);
    assert.match(text, /^Serial +PF3ABCDE$/m);
    assert.match(text, /^CPU +Intel Core™ i5-1135G7, 8 cores$/m);
    assert.match(text, /^Memory +16\.0 GiB$/m);
    assert.match(text, /^Software +3 packages \(dpkg 2, snap 1\)$/m);
    assert.match(text, /^Not read +flatpak$/m);
    assert.doesNotMatch(text, /^UUID/m, 'absent values are not printed as empty rows');
  });
});

function handSnapshot(): Snapshot {
  return {
    hardware: {
      manufacturer: 'LENOVO',
      model: '20W0004GGE',
      serial: 'PF3ABCDE',
      cpu: { manufacturer: 'Intel', brand: 'Core™ i5-1135G7', cores: 8 },
      memory: { totalBytes: 16 * 2 ** 30, modules: [] },
      disks: [],
      graphics: [],
    },
    os: { platform: 'linux', distro: 'Ubuntu', release: '22.04.4 LTS', arch: 'x64', hostname: 'tp-14', fqdn: 'tp-14.example.org' },
    network: [],
    users: [],
    software: [
      { name: 'bash', source: 'dpkg', scope: 'machine' },
      { name: 'curl', source: 'dpkg', scope: 'machine' },
      { name: 'firefox', source: 'snap', scope: 'machine' },
    ],
  };
}
