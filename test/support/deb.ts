// Builds a tiny real Debian package and installs/removes it with dpkg, as root. dpkg calls are
// serialised through flock because test files run in parallel and dpkg holds one global lock.
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);
const LOCK = '/tmp/outpost-tests-dpkg.lock';

export async function buildDeb(dir: string, name: string, version = '1.0.0'): Promise<string> {
  const root = join(dir, `${name}-root`);
  mkdirSync(join(root, 'DEBIAN'), { recursive: true });
  mkdirSync(join(root, 'usr', 'share', 'doc', name), { recursive: true });
  writeFileSync(join(root, 'usr', 'share', 'doc', name, 'README'), `${name} is a test package made by Outpost's tests.\n`);
  writeFileSync(
    join(root, 'DEBIAN', 'control'),
    [
      `Package: ${name}`,
      `Version: ${version}`,
      'Architecture: all',
      'Maintainer: Outpost Tests <tests@outpost.invalid>',
      'Section: misc',
      'Priority: optional',
      'Description: Outpost end-to-end test package',
      ' Installed and removed by the test suite.',
      '',
    ].join('\n'),
  );
  const deb = join(dir, `${name}_${version}_all.deb`);
  await exec('dpkg-deb', ['--build', '--root-owner-group', root, deb]);
  return deb;
}

export async function dpkgInstall(deb: string): Promise<void> {
  await exec('flock', [LOCK, 'dpkg', '-i', deb]);
}

export async function dpkgRemove(name: string): Promise<void> {
  await exec('flock', [LOCK, 'dpkg', '-r', name]);
}

export async function dpkgPurgeQuietly(name: string): Promise<void> {
  await exec('flock', [LOCK, 'dpkg', '--purge', name]).catch(() => undefined);
}

export function requireRoot(): void {
  if (process.getuid?.() !== 0) {
    throw new Error('These end-to-end tests install real packages with dpkg and must run as root (CI does).');
  }
}
