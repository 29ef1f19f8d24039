import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { FakeHost } from '../../../test/fakes/host.js';
import { collectLinuxBreadth } from './linux.js';
import { parseLsblk } from './lsblk.js';
import { parseProcMounts, withMountTableFs } from './proc-mounts.js';

const fixture = (name: string) => readFileSync(new URL(`../../../test/fixtures/breadth/${name}`, import.meta.url), 'utf8');
const LSBLK = fixture('linux-lsblk.debian12-vm-loop.json');
const MOUNTS = fixture('linux-proc-mounts.debian12-vm-loop.txt');
const LOOP = '/tmp/invproof-rec/data vol';

describe('the file system of a volume from the kernel mount table', () => {
  it('fills in what lsblk left out on this VM (no udev), including a mount point with a space', () => {
    const { volumes } = parseLsblk(LSBLK);
    assert.deepEqual(
      volumes.map((v) => [v.mount, v.fs ?? null]),
      [
        [LOOP, null],
        ['/', null],
      ],
      'the recorded lsblk has no FSTYPE here',
    );
    const table = parseProcMounts(MOUNTS);
    assert.equal(table.get(LOOP), 'ext4', '\\040 is a space');
    assert.deepEqual(
      withMountTableFs(volumes, table).map((v) => [v.mount, v.fs]),
      [
        [LOOP, 'ext4'],
        ['/', 'ext4'],
      ],
    );
  });

  it('keeps a type lsblk gave, takes the last of stacked mounts, and leaves a volume the table lacks alone', () => {
    const table = parseProcMounts('/dev/sda1 /data ext4 rw 0 0\n/dev/sdb1 /data xfs rw 0 0\n\ngarbage\nnone relative tmpfs rw 0 0\n');
    assert.deepEqual([...table], [['/data', 'xfs']], 'the mount on top is the one seen; no relative paths');
    const out = withMountTableFs([{ mount: '/data' }, { mount: '/srv', fs: 'btrfs' }, { mount: '/gone' }], table);
    assert.deepEqual(out, [{ mount: '/data', fs: 'xfs' }, { mount: '/srv', fs: 'btrfs' }, { mount: '/gone' }]);
  });

  it('is read by the Linux collector, and its absence costs nothing but the type', async () => {
    const host = () => new FakeHost('linux').command('lsblk', { stdout: LSBLK, stderr: '', code: 0 });
    const warned: string[] = [];
    const withTable = await collectLinuxBreadth(host().file('/proc/self/mounts', MOUNTS), (part) => warned.push(part));
    assert.deepEqual(
      withTable.volumes?.map((v) => v.fs),
      ['ext4', 'ext4'],
    );
    const without = await collectLinuxBreadth(host(), (part) => warned.push(part));
    assert.deepEqual(
      without.volumes?.map((v) => v.fs ?? null),
      [null, null],
    );
    assert.ok(!warned.includes('storage'));
  });
});
