// Builds a tiny real Debian package and installs/removes it with dpkg, as root. dpkg calls are
// serialised through flock because test files run in parallel and dpkg holds one global lock.
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);
const LOCK = '/tmp/outpost-tests-dpkg.lock';

/** Every package a test installs starts with this, so that a test comparing the whole dpkg
 * database with what the agent reported leaves out what other test files install meanwhile. */
export const TEST_PACKAGE_PREFIX = 'outpost-e2e-';

/** A fresh package name for one test file: `outpost-e2e-<tag>-<random>`. */
export function testPackageName(tag: string): string {
  return `${TEST_PACKAGE_PREFIX}${tag}-${randomBytes(3).toString('hex')}`;
}

export const isTestPackage = (name: string): boolean => name.startsWith(TEST_PACKAGE_PREFIX);

/** Runs `fn` while holding the tests' dpkg lock, so no other test file installs or removes a
 * package while this one compares the dpkg database with what the agent reported. */
export async function withDpkgLock<T>(fn: () => Promise<T>): Promise<T> {
  const holder = spawn('flock', [LOCK, 'sh', '-c', 'echo locked; exec cat >/dev/null'], { stdio: ['pipe', 'pipe', 'inherit'] });
  try {
    await new Promise<void>((resolve, reject) => {
      holder.stdout.once('data', () => resolve());
      holder.once('error', reject);
      holder.once('exit', (code) => reject(new Error(`flock exited with ${code}`)));
    });
    return await fn();
  } finally {
    holder.stdin.end();
    await new Promise((r) => (holder.exitCode === null ? holder.once('exit', r) : r(undefined)));
  }
}

/** `postinst`: a maintainer script (shell) run when dpkg configures the package. */
export async function buildDeb(dir: string, name: string, version = '1.0.0', scripts: { postinst?: string } = {}): Promise<string> {
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
  if (scripts.postinst) writeFileSync(join(root, 'DEBIAN', 'postinst'), scripts.postinst, { mode: 0o755 });
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
