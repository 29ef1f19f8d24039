#!/usr/bin/env node
// Builds the headless agent's .deb (dpkg-deb) and .rpm (rpmbuild) from one staged tree:
//   /usr/lib/outpost/{bin,dist/{agent,cli,shared},node_modules,package.json}, /usr/bin/outpost,
//   /usr/lib/systemd/system/outpost-agent.service, and the maintainer scripts beside this file.
// No tray, no server, no tests. The package runs on the distribution's nodejs; better-sqlite3 is
// native, so the package ships the binding built here and is tied to this machine's architecture
// and Node major version (the Depends line says so). Run `npm run build` first (npm run
// package:linux does).
// Usage: node packaging/linux/build.mjs [--out DIR] [--release N] [--only deb|rpm]
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { endpointModules } from './modules.mjs';

const root = new URL('../..', import.meta.url).pathname;
const here = new URL('.', import.meta.url).pathname;
const { values } = parseArgs({
  options: { out: { type: 'string', default: join(root, 'release') }, release: { type: 'string', default: '1' }, only: { type: 'string' } },
});
if (!/^[1-9][0-9]{0,5}$/.test(values.release)) throw new Error('--release must be a positive integer');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const NAME = 'outpost-agent';
const version = pkg.version;
const nodeMajor = Number(process.versions.node.split('.')[0]);
const minNode = pkg.engines.node.replace(/^>=\s*/, '');
if (!existsSync(join(root, 'dist/cli/main.js'))) throw new Error('dist/ is missing: run npm run build first');

/** Server-side commands: their code is not in this package (`outpost server` runs elsewhere). */
const SERVER_ONLY = new Set(['server.js', 'token.js', 'admin.js', 'start.js', 'package.js']);
const shipped = (src) => {
  const name = src.split('/').pop();
  if (statSync(src).isDirectory()) return name !== 'test-support';
  if (name.endsWith('.map') || name.endsWith('.test.js')) return false;
  return !(src.includes('/dist/cli/commands/') && SERVER_ONLY.has(name));
};

function stage(dir) {
  const lib = join(dir, 'usr/lib/outpost');
  for (const part of ['agent', 'cli', 'shared'])
    cpSync(join(root, 'dist', part), join(lib, 'dist', part), { recursive: true, filter: shipped });
  cpSync(join(root, 'bin/outpost.js'), join(lib, 'bin/outpost.js'));
  chmodSync(join(lib, 'bin/outpost.js'), 0o755);
  writeFileSync(join(lib, 'package.json'), `${JSON.stringify({ name: 'outpost', version, type: 'module', private: true }, null, 2)}\n`);
  for (const mod of endpointModules(root, join(lib, 'dist'))) {
    cpSync(join(root, 'node_modules', mod.name), join(lib, 'node_modules', mod.name), { recursive: true, filter: mod.filter });
  }
  mkdirSync(join(dir, 'usr/bin'), { recursive: true });
  symlinkSync('../lib/outpost/bin/outpost.js', join(dir, 'usr/bin/outpost'));
  mkdirSync(join(dir, 'usr/lib/systemd/system'), { recursive: true });
  cpSync(join(here, 'outpost-agent.service'), join(dir, 'usr/lib/systemd/system/outpost-agent.service'));
  const doc = join(dir, 'usr/share/doc', NAME);
  mkdirSync(doc, { recursive: true });
  writeFileSync(join(doc, 'copyright'), `Outpost\nLicense: ${pkg.license}\n`);
}

function sizeKb(dir) {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile()) total += statSync(join(e.parentPath, e.name)).size;
  return Math.ceil(total / 1024);
}

function buildDeb(stageDir, out) {
  const arch = execFileSync('dpkg', ['--print-architecture'], { encoding: 'utf8' }).trim();
  const debRoot = join(dirname(stageDir), 'deb');
  cpSync(stageDir, debRoot, { recursive: true, verbatimSymlinks: true });
  mkdirSync(join(debRoot, 'DEBIAN'));
  const depends =
    nodeMajor === Number(minNode.split('.')[0])
      ? `nodejs (>= ${minNode}), nodejs (<< ${nodeMajor + 1})`
      : `nodejs (>= ${nodeMajor}), nodejs (<< ${nodeMajor + 1})`;
  writeFileSync(
    join(debRoot, 'DEBIAN/control'),
    [
      `Package: ${NAME}`,
      `Version: ${version}-${values.release}`,
      `Architecture: ${arch}`,
      'Maintainer: Outpost contributors <outpost@example.org>',
      `Installed-Size: ${sizeKb(stageDir)}`,
      `Depends: ${depends}`,
      'Section: admin',
      'Priority: optional',
      'Description: Outpost agent: inventory and help-desk tickets for this machine',
      ' The headless Outpost agent as a systemd service, with the outpost command line.',
      ' Enrolment settings come from /etc/outpost/agent.json (mode 0600).',
      '',
    ].join('\n'),
  );
  for (const s of ['postinst', 'prerm', 'postrm']) {
    cpSync(join(here, s), join(debRoot, 'DEBIAN', s));
    chmodSync(join(debRoot, 'DEBIAN', s), 0o755);
  }
  const file = join(out, `${NAME}_${version}-${values.release}_${arch}.deb`);
  execFileSync('dpkg-deb', ['-Zgzip', '--build', '--root-owner-group', debRoot, file], { stdio: ['ignore', 'ignore', 'inherit'] });
  return file;
}

function buildRpm(stageDir, out) {
  const top = join(dirname(stageDir), 'rpm');
  mkdirSync(join(top, 'SPECS'), { recursive: true });
  const script = (s) => readFileSync(join(here, s), 'utf8');
  const files = ['/usr/lib/outpost', '/usr/bin/outpost', '/usr/lib/systemd/system/outpost-agent.service', `/usr/share/doc/${NAME}`];
  const spec = [
    `Name: ${NAME}`,
    `Version: ${version}`,
    `Release: ${values.release}`,
    'Summary: Outpost agent: inventory and help-desk tickets for this machine',
    `License: ${pkg.license}`,
    // The native SQLite binding was built for this Node major: the agent checks it at start too.
    `Requires: nodejs >= ${minNode}`,
    'AutoReqProv: no',
    '%global debug_package %{nil}',
    '%global __os_install_post %{nil}',
    '%define _build_id_links none',
    '%description',
    `The headless Outpost agent as a systemd service, with the outpost command line (built for Node ${nodeMajor}).`,
    '%install',
    `cp -a ${stageDir}/. %{buildroot}/`,
    '%files',
    ...files,
    '%post',
    script('postinst'),
    '%preun',
    script('prerm'),
    '%postun',
    '# $1 = 1: an upgrade; the new build runs from here on.',
    'if [ "$1" -ge 1 ] && [ -d /run/systemd/system ]; then systemctl try-restart outpost-agent.service || true; fi',
    'if [ -d /run/systemd/system ]; then systemctl daemon-reload || true; fi',
    '',
  ].join('\n');
  writeFileSync(join(top, 'SPECS', `${NAME}.spec`), spec);
  execFileSync(
    'rpmbuild',
    ['-bb', '--quiet', '--define', `_topdir ${top}`, '--define', '_binary_payload w6.gzdio', join(top, 'SPECS', `${NAME}.spec`)],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const rpmDir = join(top, 'RPMS');
  const built = readdirSync(rpmDir, { recursive: true }).find((f) => String(f).endsWith('.rpm'));
  const file = join(out, String(built).split('/').pop());
  cpSync(join(rpmDir, String(built)), file);
  return file;
}

const work = join(tmpdir(), `outpost-package-${process.pid}`);
rmSync(work, { recursive: true, force: true });
try {
  mkdirSync(values.out, { recursive: true });
  const stageDir = join(work, 'stage');
  stage(stageDir);
  if (values.only !== 'rpm') console.log(relative(process.cwd(), buildDeb(stageDir, values.out)) || '.');
  if (values.only !== 'deb') console.log(relative(process.cwd(), buildRpm(stageDir, values.out)) || '.');
} finally {
  rmSync(work, { recursive: true, force: true });
}
