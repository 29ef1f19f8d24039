import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Snapshot, Software } from '../../shared/inventory.js';
import { SnapshotSchema } from '../../shared/inventory.js';
import { silentLogger } from '../../shared/log.js';
import { FakeHost } from '../../test/fakes/host.js';
import type { SoftwareCollector } from './software/types.js';
import { collectSnapshot, mergeSnapshot } from './snapshot.js';
import { fakeSystemInfo, LAPTOP } from '../../test/fakes/system.js';

const pkg = (source: Software['source'], name: string, version = '1.0'): Software => ({ name, version, source, scope: 'machine' });

function collector(source: Software['source'], items: Software[] | Error | 'hang'): SoftwareCollector {
  return {
    source,
    platforms: ['linux'],
    collect: async () => {
      // Answers far too late (a timer keeps the test process alive while the runner waits).
      if (items === 'hang') return new Promise<Software[]>((resolve) => setTimeout(() => resolve([]), 300));
      if (items instanceof Error) throw items;
      return items;
    },
  };
}

async function fullScan(collectors: SoftwareCollector[]): Promise<Snapshot> {
  const c = await collectSnapshot({
    si: fakeSystemInfo(LAPTOP),
    host: new FakeHost('linux', 'lt-0042'),
    log: silentLogger,
    softwareCollectors: collectors,
  });
  return mergeSnapshot(undefined, c.snapshot, c.failedSources, c.failedParts);
}

describe('collectSnapshot', () => {
  it('collects every section into a valid, normalised snapshot', async () => {
    const snap = await fullScan([
      collector('dpkg', [pkg('dpkg', 'zsh'), pkg('dpkg', 'bash')]),
      collector('snap', [pkg('snap', 'firefox')]),
    ]);
    assert.ok(SnapshotSchema.safeParse(snap).success);
    assert.deepEqual(
      snap.software.map((s) => s.name),
      ['bash', 'zsh', 'firefox'],
      'sorted by item key (source first)',
    );
    assert.equal(snap.hardware.serial, '4XK9QF3');
    assert.deepEqual(
      snap.users.map((u) => u.terminal),
      ['pts/0', 'tty2'],
    );
  });

  it('re-collects only software without touching systeminformation', async () => {
    const si = fakeSystemInfo(LAPTOP);
    const c = await collectSnapshot(
      { si, host: new FakeHost(), log: silentLogger, softwareCollectors: [collector('dpkg', [pkg('dpkg', 'vim')])] },
      { sections: ['software'] },
    );
    assert.deepEqual(Object.keys(c.snapshot), ['software']);
    assert.deepEqual(si.calls, []);
  });

  it('re-collects only users with the single users call', async () => {
    const si = fakeSystemInfo(LAPTOP);
    const c = await collectSnapshot({ si, host: new FakeHost(), log: silentLogger, softwareCollectors: [] }, { sections: ['users'] });
    assert.deepEqual(Object.keys(c.snapshot), ['users']);
    assert.deepEqual(si.calls, ['users']);
  });

  it('reports a software source that times out', async () => {
    const c = await collectSnapshot(
      {
        si: fakeSystemInfo(LAPTOP),
        host: new FakeHost(),
        log: silentLogger,
        softwareCollectors: [collector('snap', 'hang'), collector('dpkg', [])],
        softwareTimeoutMs: 30,
      },
      { sections: ['software'] },
    );
    assert.deepEqual(c.failedSources, ['snap']);
  });
});

describe('mergeSnapshot', () => {
  it("keeps a failed source's previous packages: a timeout is not an uninstall", async () => {
    const previous = await fullScan([
      collector('dpkg', [pkg('dpkg', 'bash')]),
      collector('snap', [pkg('snap', 'firefox'), pkg('snap', 'code')]),
    ]);
    const merged = mergeSnapshot(previous, { software: [pkg('dpkg', 'bash'), pkg('dpkg', 'curl')] }, ['snap']);
    assert.deepEqual(
      merged.software.map((s) => `${s.source}:${s.name}`),
      ['dpkg:bash', 'dpkg:curl', 'snap:code', 'snap:firefox'],
    );
  });

  it('drops the packages of a source that answered, even when it answered with none', async () => {
    const previous = await fullScan([collector('dpkg', [pkg('dpkg', 'bash')]), collector('snap', [pkg('snap', 'firefox')])]);
    const merged = mergeSnapshot(previous, { software: [pkg('dpkg', 'bash')] }, []);
    assert.deepEqual(
      merged.software.map((s) => s.name),
      ['bash'],
    );
  });

  it('keeps the sections that were not collected', async () => {
    const previous = await fullScan([collector('dpkg', [pkg('dpkg', 'bash')])]);
    const users = [{ name: 'bob', terminal: 'tty1' }];
    const merged = mergeSnapshot(previous, { users });
    assert.deepEqual(merged.users, users);
    assert.deepEqual(merged.hardware, previous.hardware);
    assert.deepEqual(merged.os, previous.os);
    assert.deepEqual(merged.network, previous.network);
    assert.deepEqual(merged.software, previous.software);
  });

  it('keeps the previous fields of a systeminformation call that failed', async () => {
    const previous = await fullScan([]);
    const si = fakeSystemInfo(
      { ...LAPTOP, system: { ...LAPTOP.system, model: 'Latitude 7430' } },
      {
        graphics: () => Promise.reject(new Error('lspci crashed')),
        osInfo: () => new Promise(() => undefined),
        users: () => Promise.reject(new Error('who')),
      },
    );
    const c = await collectSnapshot({
      si,
      host: new FakeHost('linux', 'lt-0042'),
      log: silentLogger,
      softwareCollectors: [],
      systemTimeoutMs: 30,
    });
    assert.deepEqual(c.failedParts, ['graphics', 'osInfo', 'users']);
    const merged = mergeSnapshot(previous, c.snapshot, c.failedSources, c.failedParts);
    assert.deepEqual(merged.hardware.graphics, previous.hardware.graphics, 'graphics did not vanish');
    assert.equal(merged.hardware.model, 'Latitude 7430', 'the calls that worked still update');
    assert.equal(merged.os.distro, 'Ubuntu', 'the OS fields did not vanish');
    assert.deepEqual(merged.users, previous.users);
  });

  it('refuses a first snapshot without the system section', () => {
    assert.throws(() => mergeSnapshot(undefined, { software: [] }), /system section/);
  });
});
