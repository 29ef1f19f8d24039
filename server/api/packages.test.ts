import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { after, before, it } from 'node:test';
import type { DeploymentJson, PackageFileJson, PackageJson } from '../../shared/deploy-api.js';
import { testFleet, type TestFleet } from '../../test/support/server/fleet.js';
import { describeStores } from '../../test/support/stores.js';
import { PackageFiles } from '../deploy/package-files.js';
import { deploymentRoutes } from './deployments.js';
import { packageRoutes } from './packages.js';

type Body<T> = T & { error?: { code: string; message: string } };

describeStores('the package store and deployments over HTTP', (engine) => {
  let fleet: TestFleet;
  let app: FastifyInstance;
  let files: PackageFiles;
  const dispatched: string[][] = [];
  let pcs: string[] = [];
  const bytes = Buffer.from('!<arch>\nnot really a deb, but bytes with a hash\n');
  const sha = createHash('sha256').update(bytes).digest('hex');

  const upload = async (name: string, body: Buffer, query = '') => {
    const res = await app.inject({
      method: 'POST',
      url: `/api/packages/files?name=${name}${query}`,
      headers: { 'content-type': 'application/octet-stream' },
      payload: body,
    });
    return { status: res.statusCode, body: res.json<Body<PackageFileJson>>() };
  };
  const call = async <T>(method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown) => {
    const res = await app.inject({ method, url, ...(payload === undefined ? {} : { payload: payload as object }) });
    return { status: res.statusCode, body: res.json<Body<T>>() };
  };
  const storedFiles = () => readdirSync(files.dir).filter((f) => !f.startsWith('.'));

  let deskRuns = 0;
  before(async () => {
    fleet = await testFleet(engine);
    pcs = [
      await fleet.add({ hostname: 'pc-1' }),
      await fleet.add({ hostname: 'pc-2' }),
      await fleet.add({ hostname: 'mac-1', platform: 'darwin' }),
    ];
    files = new PackageFiles(join(fleet.where.dataDir, 'data'), 1024);
    app = Fastify({ logger: false });
    packageRoutes(app, {
      store: fleet.store,
      now: () => Date.parse('2026-12-07T10:00:00Z'),
      packageFiles: files,
      requestPackagesSync: async () => {
        deskRuns++;
        return true;
      },
    });
    deploymentRoutes(app, {
      store: fleet.store,
      now: () => Date.parse('2026-12-07T10:05:00Z'),
      dispatchDeployment: async (_id, ids) => void dispatched.push([...ids]),
    });
  });
  after(async () => {
    await app.close();
    await fleet.close();
  });

  it('keeps an uploaded file by its sha256, once, however often it is uploaded', async () => {
    const first = await upload('tool_1.0_all.deb', bytes);
    assert.equal(first.status, 200);
    assert.deepEqual([first.body.sha256, first.body.size, first.body.name], [sha, bytes.length, 'tool_1.0_all.deb']);
    const again = await upload('other-name.deb', bytes, `&sha256=${sha}`);
    assert.deepEqual([again.status, again.body.name], [200, 'tool_1.0_all.deb']);
    assert.deepEqual(storedFiles(), [sha]);
  });

  it('refuses a file whose bytes do not have the named hash, or past the size limit, and keeps nothing', async () => {
    const wrong = await upload('x.deb', Buffer.from('other bytes'), `&sha256=${sha.replace(/^./, sha[0] === '0' ? '1' : '0')}`);
    assert.deepEqual([wrong.status, wrong.body.error?.code], [422, 'E_PACKAGE_HASH_MISMATCH']);
    const large = await upload('big.msi', Buffer.alloc(1025, 7));
    assert.deepEqual([large.status, large.body.error?.code], [413, 'E_PACKAGE_TOO_LARGE']);
    const empty = await upload('none.deb', Buffer.alloc(0));
    assert.equal(empty.status, 400);
    const badName = await upload('..%2Fetc%2Fpasswd', bytes);
    assert.deepEqual([badName.status, badName.body.error?.code], [400, 'E_BAD_REQUEST']);
    assert.deepEqual(storedFiles(), [sha]);
    assert.deepEqual(
      readdirSync(files.dir).filter((f) => f.startsWith('.')),
      [],
      'no temporary file is left behind',
    );
  });

  it('defines a file package and an OS-manager package, and refuses inconsistent ones', async () => {
    const deb = await call<PackageJson>('POST', '/api/packages', {
      name: 'Tool',
      version: '1.0',
      installer: 'deb',
      sha256: sha,
      detection: { name: 'tool', version: '1.0' },
      selfService: true,
    });
    assert.equal(deb.status, 201);
    assert.deepEqual(
      [deb.body.installer, deb.body.file?.sha256, deb.body.platforms, deb.body.selfService, deb.body.retries],
      ['deb', sha, ['linux'], true, 2],
    );
    const winget = await call<PackageJson>('POST', '/api/packages', {
      name: 'Firefox',
      installer: 'winget',
      managerPackage: 'Mozilla.Firefox',
      args: ['--scope', 'machine'],
      detection: { name: 'Mozilla Firefox' },
    });
    assert.deepEqual([winget.status, winget.body.file, winget.body.platforms], [201, null, ['windows']]);

    const missing = await call('POST', '/api/packages', { name: 'X', installer: 'msi', sha256: 'a'.repeat(64), detection: { name: 'X' } });
    assert.deepEqual([missing.status, missing.body.error?.code], [409, 'E_PACKAGE_FILE_MISSING']);
    const noFile = await call('POST', '/api/packages', { name: 'X', installer: 'rpm', detection: { name: 'X' } });
    assert.equal(noFile.status, 400);
    const smuggled = await call('POST', '/api/packages', {
      name: 'X',
      installer: 'apt',
      managerPackage: '-o=evil',
      detection: { name: 'X' },
    });
    assert.equal(smuggled.status, 400);
    const wrongPlatform = await call('POST', '/api/packages', {
      name: 'X',
      installer: 'apt',
      managerPackage: 'x',
      platforms: ['windows'],
      detection: { name: 'X' },
    });
    assert.equal(wrongPlatform.status, 400);

    const list = await call<{ items: PackageJson[] }>('GET', '/api/packages');
    assert.deepEqual(list.body.items.map((p) => p.name).sort(), ['Firefox', 'Tool']);
  });

  it('deploys to a selection or a search, refuses unknown devices, and retired packages leave the list', async () => {
    const tool = (await call<{ items: PackageJson[] }>('GET', '/api/packages')).body.items.find((p) => p.name === 'Tool')!;
    const unknown = await call('POST', '/api/deployments', { packageId: tool.id, targets: { deviceIds: [pcs[0], 'nope'] } });
    assert.deepEqual([unknown.status, unknown.body.error?.code], [404, 'E_NOT_FOUND']);
    assert.deepEqual((await call<{ items: DeploymentJson[] }>('GET', '/api/deployments')).body.items, []);

    const picked = await call<DeploymentJson>('POST', '/api/deployments', { packageId: tool.id, targets: { deviceIds: [pcs[0]] } });
    assert.equal(picked.status, 201);
    assert.deepEqual(
      picked.body.targets?.map((t) => [t.hostname, t.state]),
      [['pc-1', 'pending']],
    );
    const searched = await call<DeploymentJson>('POST', '/api/deployments', {
      packageId: tool.id,
      targets: { search: { q: 'pc-' } },
      notBefore: '2026-12-07T22:00:00Z',
      notAfter: '2026-12-08T04:00:00Z',
    });
    assert.equal(searched.status, 201);
    assert.deepEqual(
      searched.body.targets?.map((t) => t.hostname),
      ['pc-1', 'pc-2'],
    );
    assert.deepEqual([searched.body.notBefore, searched.body.counts.pending], ['2026-12-07T22:00:00.000Z', 2]);
    assert.deepEqual(dispatched, [[pcs[0]], [pcs[0], pcs[1]]]);
    const none = await call('POST', '/api/deployments', { packageId: tool.id, targets: { search: { q: 'no-such-host' } } });
    assert.equal(none.status, 400);
    const backwards = await call('POST', '/api/deployments', {
      packageId: tool.id,
      targets: { deviceIds: [pcs[0]] },
      notBefore: '2026-12-08T04:00:00Z',
      notAfter: '2026-12-07T22:00:00Z',
    });
    assert.equal(backwards.status, 400);

    const runs = deskRuns;
    assert.deepEqual((await call('DELETE', `/api/packages/${tool.id}`)).status, 200);
    assert.equal(deskRuns, runs + 1, 'the desk is asked to mark its record retired now');
    assert.deepEqual(
      (await call<{ items: PackageJson[] }>('GET', '/api/packages')).body.items.map((p) => p.name),
      ['Firefox'],
    );
    const retired = await call('POST', '/api/deployments', { packageId: tool.id, targets: { deviceIds: [pcs[0]] } });
    assert.equal(retired.status, 404, 'a retired package is deployed no more');
    const detail = await call<DeploymentJson>('GET', `/api/deployments/${picked.body.id}`);
    assert.deepEqual([detail.status, detail.body.package.name], [200, 'Tool'], 'deployments of a retired package stay readable');
  });
});
