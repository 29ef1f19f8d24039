// The package store's catalog in Autotask as Products (fixtures/products.json): created with the
// fields the API requires (name, isActive, isSerialized, a billing code), found again by Outpost's
// package id in externalProductID by a store that lost its links, never doubled, made inactive when
// the package is retired, and not offered at all without a billing code. No call off-contract.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '../../../shared/log.js';
import { AutotaskConnector } from '../../../server/desk/autotask/connector.js';
import { isDeskError } from '../../../server/desk/errors.js';
import { keepsPackages, pushPackages } from '../../../server/desk/sync/packages.js';
import type { DeskPackage } from '../../../server/desk/types.js';
import type { NewPackage } from '../../../server/store/deploy-records.js';
import { openDatabase } from '../../../server/store/sqlite/open.js';
import { SqliteStore } from '../../../server/store/sqlite/sqlite-store.js';
import { AutotaskContractServer, BILLING_CODE } from './contract-server.js';

const CREDS = { integrationCode: 'TRACKINGID0123456789ABCDEFG', user: 'outpost-api@example.com', secret: 's3cret-autotask' };
const gimp = (): DeskPackage => ({
  outpostId: randomUUID(),
  name: 'GIMP',
  version: '2.10.38',
  installer: 'msi',
  platforms: ['windows'],
  selfService: true,
  source: 'cd'.repeat(32),
});
const stored = (id: string, name: string): NewPackage => ({
  id,
  name,
  version: '1.3',
  installer: 'winget',
  fileSha256: null,
  managerPackage: `${name}.${name}`,
  args: [],
  detection: { name },
  platforms: ['windows'],
  selfService: true,
  timeoutSeconds: 600,
  retries: 1,
  createdAt: 0,
  createdBy: 'admin',
});

describe('Autotask software packages as Products', () => {
  const server = new AutotaskContractServer(CREDS);
  let url = '';
  let desk: AutotaskConnector;
  const product = (id: string) => server.state.get('Products', Number(id));

  before(async () => {
    url = await server.start();
    desk = new AutotaskConnector({ ...CREDS, discoveryUrl: url, packageBillingCodeId: BILLING_CODE }, silentLogger);
  });
  after(() => server.stop());

  it('creates an active product billed under the billing code, finds it by the package id and overwrites it', async () => {
    const pkg = gimp();
    assert.equal(keepsPackages(desk), true);
    assert.equal(await desk.findPackage!(pkg), null);
    const id = await desk.savePackage!(pkg);
    const row = product(id);
    assert.deepEqual(
      [row.name, row.description, row.externalProductID, row.isActive, row.isSerialized, row.productBillingCodeID],
      [
        'GIMP 2.10.38 (msi)',
        `msi for windows; self-service; sha256 ${pkg.source}; outpost:${pkg.outpostId}`,
        pkg.outpostId,
        true,
        false,
        BILLING_CODE,
      ],
    );
    assert.equal(await desk.findPackage!(pkg), id);
    assert.equal(await desk.savePackage!({ ...pkg, selfService: false }, id), id);
    assert.match(String(product(id).description), /IT only/);
    assert.equal(server.state.rows.Products.size, 1);
    assert.deepEqual(server.violations, []);
  });

  it('keeps a long name within the 100 characters Autotask allows', async () => {
    const id = await desk.savePackage!({ ...gimp(), name: 'x'.repeat(300) });
    assert.equal(String(product(id).name).length, 100);
    assert.deepEqual(server.violations, []);
  });

  it('runs the catalog once per package, also from a store that lost its links, and makes a retired one inactive once', async () => {
    const dirs = [mkdtempSync(join(tmpdir(), 'outpost-at-pkg-')), mkdtempSync(join(tmpdir(), 'outpost-at-pkg-'))];
    const stores = dirs.map((dir) => new SqliteStore(openDatabase(dir)));
    const [keep, drop] = [randomUUID(), randomUUID()];
    try {
      for (const store of stores)
        for (const [id, name] of [
          [keep, 'Inkscape'],
          [drop, 'Krita'],
        ] as const)
          await store.deploy.addPackage(stored(id, name));
      const runs = [];
      for (const store of [stores[0]!, stores[0]!, stores[1]!]) runs.push(await pushPackages({ desk, store }));
      assert.deepEqual(
        runs.map((r) => [r?.created, r?.updated, r?.unchanged, r?.retired]),
        [
          [2, 0, 0, 0],
          [0, 0, 2, 0],
          [0, 2, 0, 0],
        ],
      );
      const dropped = (await desk.findPackage!({ ...gimp(), outpostId: drop }))!;
      assert.equal(product(dropped).isActive, true);

      // Retired in the first store: its product goes inactive, once; the other stays active.
      await stores[0]!.deploy.retirePackage(drop);
      const calls = server.calls.length;
      const retiring = await pushPackages({ desk, store: stores[0]! });
      assert.deepEqual([retiring?.packages, retiring?.unchanged, retiring?.retired], [1, 1, 1]);
      assert.equal(product(dropped).isActive, false);
      assert.ok(server.calls.slice(calls).some((c) => /^PATCH .*\/Products$/i.test(c)));
      const kept = (await desk.findPackage!({ ...gimp(), outpostId: keep }))!;
      assert.equal(product(kept).isActive, true);
      const again = await pushPackages({ desk, store: stores[0]! });
      assert.equal(again?.retired, 0, 'a retired record is marked once');
      assert.equal(server.state.rows.Products.size, 4);
      assert.deepEqual(server.violations, []);
    } finally {
      for (const store of stores) await store.close();
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    }
  });

  it('makes a product again that someone deleted in Autotask', async () => {
    const pkg = gimp();
    const id = await desk.savePackage!(pkg);
    server.state.rows.Products.delete(Number(id));
    await assert.rejects(desk.savePackage!(pkg, id), (e) => isDeskError(e) && e.code === 'E_DESK_NOT_FOUND');
    server.violations.length = 0; // the GET of a deleted product is the refusal expected here
  });

  it('keeps no package catalog without a billing code, and is refused one the database does not have', async () => {
    const without = new AutotaskConnector({ ...CREDS, discoveryUrl: url }, silentLogger);
    assert.equal(keepsPackages(without), false);
    const wrong = new AutotaskConnector({ ...CREDS, discoveryUrl: url, packageBillingCodeId: 12345 }, silentLogger);
    await assert.rejects(wrong.savePackage!(gimp()), (e) => isDeskError(e) && /billing code/.test(e.message));
    assert.equal(server.violations.length, 1);
    server.violations.length = 0;
  });
});
