// The package store's catalog in ServiceDesk Plus as products (the Product page,
// fixtures/products.json): created with the mandatory name and product type, found again by
// Outpost's package id in part_no by a store that lost its links, never doubled. No call off-contract.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '../../../shared/log.js';
import { isDeskError } from '../../../server/desk/errors.js';
import { SdpConnector } from '../../../server/desk/sdp/connector.js';
import { pushPackages } from '../../../server/desk/sync/packages.js';
import type { DeskPackage } from '../../../server/desk/types.js';
import { openDatabase } from '../../../server/store/sqlite/open.js';
import { SqliteStore } from '../../../server/store/sqlite/sqlite-store.js';
import { SdpContractServer } from './contract-server.js';

const API = { id: '9001', name: 'Outpost API', email_id: 'outpost@example.com' };
const gimp = (): DeskPackage => ({
  outpostId: randomUUID(),
  name: 'GIMP',
  version: '2.10.38',
  installer: 'msi',
  platforms: ['windows'],
  selfService: true,
  source: 'cd'.repeat(32),
});

describe('ServiceDesk Plus software packages as products', () => {
  const server = new SdpContractServer({ flavour: 'onprem', token: 'tok', technicians: [API] });
  let url = '';
  let desk: SdpConnector;

  before(async () => {
    url = await server.start();
    desk = new SdpConnector({ url, flavour: 'onprem', token: 'tok', technician: API.name }, silentLogger);
  });
  after(() => server.stop());

  it('creates a product of the package product type, finds it by the package id and overwrites it', async () => {
    const pkg = gimp();
    assert.equal(await desk.findPackage(pkg), null);
    const id = await desk.savePackage(pkg);
    const row = server.products.byId.get(id)!;
    assert.deepEqual(
      [row.name, (row.product_type as { name: string }).name, row.part_no, row.comments],
      [
        'GIMP 2.10.38 (msi)',
        'Software Package',
        pkg.outpostId,
        `msi for windows; self-service; sha256 ${pkg.source}; outpost:${pkg.outpostId}`,
      ],
    );
    assert.equal(await desk.findPackage(pkg), id);
    assert.equal(await desk.savePackage({ ...pkg, selfService: false }, id), id);
    assert.match(String(server.products.byId.get(id)!.comments), /IT only/);
    assert.equal(server.products.byId.size, 1);
    assert.deepEqual(server.violations, []);
  });

  it('runs the package catalog once per package, also from a store that lost its links', async () => {
    const dirs = [mkdtempSync(join(tmpdir(), 'outpost-sdp-pkg-')), mkdtempSync(join(tmpdir(), 'outpost-sdp-pkg-'))];
    const stores = dirs.map((dir) => new SqliteStore(openDatabase(dir)));
    const id = randomUUID();
    try {
      for (const store of stores) {
        await store.deploy.addPackage({
          id,
          name: 'Inkscape',
          version: '1.3',
          installer: 'winget',
          fileSha256: null,
          managerPackage: 'Inkscape.Inkscape',
          args: [],
          detection: { name: 'Inkscape' },
          platforms: ['windows'],
          selfService: true,
          timeoutSeconds: 600,
          retries: 1,
          createdAt: 0,
          createdBy: 'admin',
        });
      }
      const before = server.products.byId.size;
      const runs = [];
      for (const store of [stores[0]!, stores[0]!, stores[1]!]) runs.push(await pushPackages({ desk, store }));
      assert.deepEqual(
        runs.map((r) => [r?.created, r?.updated, r?.unchanged]),
        [
          [1, 0, 0],
          [0, 0, 1],
          [0, 1, 0],
        ],
      );
      assert.equal(server.products.byId.size, before + 1);
      assert.deepEqual(server.violations, []);
    } finally {
      for (const store of stores) await store.close();
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    }
  });

  it("marks a retired package's product retired in its name and comments, still found by the package id", async () => {
    const pkg = gimp();
    const id = await desk.savePackage({ ...pkg, name: 'Paint.NET' });
    await desk.retirePackage(pkg, id);
    const row = server.products.byId.get(id)!;
    assert.equal(row.name, 'GIMP 2.10.38 (msi) (retired)');
    assert.match(String(row.comments), /^Retired: no longer in Outpost's package store\. msi for windows/);
    assert.equal(await desk.findPackage(pkg), id);
    await desk.retirePackage(pkg, id); // again: the same
    assert.equal(server.products.byId.get(id)!.name, 'GIMP 2.10.38 (msi) (retired)');
    assert.deepEqual(server.violations, []);
  });

  it('names a product type the instance does not have', async () => {
    const other = new SdpConnector(
      { url, flavour: 'onprem', token: 'tok', technician: API.name, packageProductType: 'Apps' },
      silentLogger,
    );
    await assert.rejects(other.savePackage(gimp()), (e) => isDeskError(e) && /product type/.test(e.message) && !e.retryable);
    server.violations.length = 0;
  });
});
