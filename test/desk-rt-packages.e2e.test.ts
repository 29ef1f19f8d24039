// The package store's catalog sent to a real RT 5 (test/support/rt.ts) as "software packages":
// one asset per package in the "Outpost packages" catalog, found again by a store that lost its
// links, never doubled, its asset set to an inactive status when the package is retired, and sent on
// demand from the web console ("Send packages now") by a running server. Needs `npm run build` and
// /usr/bin/chromium for the console part.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DeskSyncStatusJson } from '../shared/http-api.js';
import { silentLogger } from '../shared/log.js';
import { RtConnector } from '../server/desk/rt/connector.js';
import { pushPackages } from '../server/desk/sync/packages.js';
import { parseDeskSettings } from '../server/desk/sync/settings.js';
import { openDatabase } from '../server/store/sqlite/open.js';
import { SqliteStore } from '../server/store/sqlite/sqlite-store.js';
import { createAdminAccount } from '../server/auth/accounts.js';
import { checkPage, fillSignIn, openConsoleBrowser } from './support/console.js';
import { rtRest, rtSkip, startRt, type RtInstance } from './support/rt.js';
import { TEST_SCRYPT } from './support/server/auth-app.js';
import { startHarness } from './support/server/harness.js';
import { deadline } from './support/deadline.js';

const tag = () => randomBytes(4).toString('hex');
const PASSWORD = 'correct horse battery staple';
type Asset = { Name: string; Description: string; Status: string; Catalog: { id: string } };

describe('The package catalog in a real RT 5', { skip: rtSkip() }, () => {
  let rt: RtInstance;
  let desk: RtConnector;
  const asAdmin = <T = unknown>(method: string, path: string, body?: unknown) => rtRest<T>(rt, method, path, body);
  const assetsNamed = async (name: string) => {
    const query = encodeURIComponent(`Catalog = 'Outpost packages' AND Name = '${name}'`);
    const found = await asAdmin<{ items: { id: string }[] }>('GET', `/assets?query=${query}`);
    return Promise.all(found.body.items.map(async (a) => (await asAdmin<Asset>('GET', `/asset/${a.id}`)).body));
  };
  const newPackage = (name: string, extra: { installer?: 'apt' | 'deb'; sha256?: string; selfService?: boolean } = {}) => ({
    id: randomUUID(),
    name,
    version: '2.10.38',
    installer: extra.installer ?? 'apt',
    fileSha256: extra.sha256 ?? null,
    managerPackage: extra.sha256 ? null : 'gimp',
    args: [],
    detection: { name },
    platforms: ['linux' as const],
    selfService: extra.selfService ?? true,
    timeoutSeconds: 600,
    retries: 1,
    createdAt: Date.now(),
    createdBy: 'admin',
  });

  before(async () => {
    rt = await startRt();
    desk = new RtConnector({ url: rt.url, user: rt.user, auth: { kind: 'basic', password: rt.password } }, silentLogger);
  });
  after(async () => {
    await rt?.stop();
  });

  it('keeps one asset per package, found again by a store without links, two packages of one name apart', async () => {
    const dirs = [mkdtempSync(join(tmpdir(), 'outpost-rt-pkg-')), mkdtempSync(join(tmpdir(), 'outpost-rt-pkg-'))];
    const name = `gimp-${tag()}`;
    const sha = 'ab'.repeat(32);
    const apt = newPackage(name);
    const twin = newPackage(name); // same name, version and installer: another package all the same
    const deb = newPackage(name, { installer: 'deb', sha256: sha, selfService: false });
    const stores = dirs.map((dir) => new SqliteStore(openDatabase(dir)));
    try {
      for (const store of stores) {
        await store.deploy.addPackageFile({ sha256: sha, size: 1234, name: 'gimp.deb', uploadedAt: 0, uploadedBy: 'admin' });
        for (const p of [apt, twin, deb]) await store.deploy.addPackage(p);
      }
      const runs = [];
      for (const store of [stores[0]!, stores[0]!, stores[1]!]) runs.push(await pushPackages({ desk, store }));
      assert.deepEqual(
        runs.map((r) => [r?.packages, r?.created, r?.updated, r?.unchanged]),
        [
          [3, 3, 0, 0],
          [3, 0, 0, 3],
          [3, 0, 3, 0],
        ],
      );
      const apts = await assetsNamed(`${name} 2.10.38 (apt)`);
      assert.equal(apts.length, 2, 'the twin has an asset of its own');
      assert.deepEqual(apts.map((a) => a.Description.split('; outpost:')[1]).sort(), [apt.id, twin.id].sort());
      assert.equal(apts[0]!.Description.split('; outpost:')[0], 'apt for linux; self-service; package gimp');
      const [debAsset, ...more] = await assetsNamed(`${name} 2.10.38 (deb)`);
      assert.deepEqual(more, []);
      assert.equal(debAsset!.Description, `deb for linux; IT only; sha256 ${sha}; outpost:${deb.id}`);
    } finally {
      for (const store of stores) await store.close();
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    }
  });

  it("sets a retired package's asset to RT's inactive recycled status, once, and leaves the others in use", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'outpost-rt-pkg-'));
    const store = new SqliteStore(openDatabase(dir));
    const [keep, drop] = [newPackage(`vlc-${tag()}`), newPackage(`krita-${tag()}`)];
    try {
      for (const p of [keep, drop]) await store.deploy.addPackage(p);
      assert.equal((await pushPackages({ desk, store }))?.created, 2);
      await store.deploy.retirePackage(drop.id);
      const run = await pushPackages({ desk, store });
      assert.deepEqual([run?.packages, run?.unchanged, run?.retired], [1, 1, 1]);
      const [dropped] = await assetsNamed(`${drop.name} 2.10.38 (apt)`);
      const [kept] = await assetsNamed(`${keep.name} 2.10.38 (apt)`);
      assert.deepEqual([dropped?.Status, kept?.Status], ['recycled', 'in-use']);
      assert.ok(dropped?.Description.endsWith(`outpost:${drop.id}`), 'the record stays for what refers to it');
      assert.equal((await pushPackages({ desk, store }))?.retired, 0);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('sends the packages when IT clicks "Send packages now" in the console, and shows the run', async () => {
    const settings = parseDeskSettings({ kind: 'rt', url: rt.url, user: rt.user, secret: rt.token, pollSeconds: 60 });
    const h = await startHarness({ desk: settings });
    const store = SqliteStore.open(h.dataDir);
    try {
      await createAdminAccount(store.admins, 'alex', PASSWORD, Date.now(), TEST_SCRYPT);
    } finally {
      await store.close();
    }
    const { browser, page, problems } = await openConsoleBrowser();
    try {
      const name = `inkscape-${tag()}`;
      const made = await h.api<{ id: string }>('/api/packages', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          name,
          version: '1.3',
          installer: 'apt',
          managerPackage: 'inkscape',
          detection: { name },
          selfService: true,
        }),
      });
      assert.equal(made.status, 201, JSON.stringify(made.body));
      await page.goto(`${h.url}/desk`);
      await fillSignIn(page, 'alex', PASSWORD);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Service desk' }).click();
      const card = page.getByRole('region', { name: 'Software packages' });
      await card.getByText('Never', { exact: true }).waitFor();
      await checkPage(page, 'desk with software packages');
      await card.getByRole('button', { name: 'Send packages now' }).click();
      await page.getByTestId('status-message').getByText('Sending the software packages to the desk.').waitFor();
      const giveUpAt = Date.now() + deadline(60_000);
      let status: DeskSyncStatusJson;
      for (;;) {
        status = (await h.api<DeskSyncStatusJson>('/api/desk/status')).body;
        if (status.packages.lastRun && !status.packages.queued) break;
        assert.ok(Date.now() < giveUpAt, `no package run: ${JSON.stringify(status.packages)} ${JSON.stringify(status.jobs)}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      assert.deepEqual([status.packages.supported, status.packages.schedule], [true, '24h']);
      assert.ok(status.packages.nextRunAt, 'the daily run is scheduled');
      assert.ok(status.packages.lastRun.created >= 1);
      const [asset] = await assetsNamed(`${name} 1.3 (apt)`);
      assert.equal(asset?.Description, `apt for linux; self-service; package inkscape; outpost:${made.body.id}`);
      assert.deepEqual(problems, []);
    } finally {
      await browser.close();
      await h.close();
    }
  });
});
