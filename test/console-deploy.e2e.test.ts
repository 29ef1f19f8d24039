// Deploying software from the web console, end to end: the built console served by a real server,
// a protocol-speaking agent over a real socket, Debian's Chromium driven by Playwright. IT uploads an
// installer and adds it to the package store, deploys it from a device's page, the agent receives a
// command signed with the key it was handed at enrolment naming the uploaded file's hash, and the
// steps it reports appear on the deployment's page. Every page is checked with axe-core.
// Needs `npm run build` and /usr/bin/chromium.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { signedByServer } from '../agent/deploy/verify.js';
import { createAdminAccount } from '../server/auth/accounts.js';
import { SqliteStore } from '../server/store/sqlite/sqlite-store.js';
import type { Item } from '../shared/protocol.js';
import { checkPage as check, fillSignIn, openConsoleBrowser } from './support/console.js';
import { TEST_SCRYPT } from './support/server/auth-app.js';
import { fullItem, hintsFor, machine, pkg } from './support/server/fixtures.js';
import { startHarness, type Harness } from './support/server/harness.js';
import { TestAgent } from './support/server/test-agent.js';
import { deadline } from './support/deadline.js';

const root = new URL('../', import.meta.url).pathname;
const PASSWORD = 'correct horse battery staple';
const INSTALLER = Buffer.from('!<arch>\ndebian-binary   a tool made for the console test\n');

describe('console: deploying software', { timeout: deadline(300_000) }, () => {
  let h: Harness;
  let agent: TestAgent;
  let deviceId: string;
  let deployKey: string;
  let browser: Browser;
  let page: Page;
  let problems: string[];

  before(async () => {
    assert.ok(existsSync(join(root, 'dist', 'console', 'index.html')), 'dist/console is missing: run `npm run build` first');
    h = await startHarness();
    const store = SqliteStore.open(h.dataDir);
    try {
      await createAdminAccount(store.admins, 'alex', PASSWORD, Date.now(), TEST_SCRYPT);
    } finally {
      await store.close();
    }
    agent = await TestAgent.connect(h.wsUrl);
    const snapshot = machine({ hostname: 'lab-pc', serial: 'SN-LAB-PC', software: [pkg('bash', '5.2')] });
    agent.send({
      type: 'enrol',
      protocol: 3,
      agentVersion: 'test',
      token: await h.server.createEnrolmentToken(),
      hints: hintsFor(snapshot, 'inst-lab'),
    });
    const enrolled = await agent.next('enrolled');
    deviceId = enrolled.deviceId;
    deployKey = enrolled.deployKey!;
    await agent.next('welcome');
    agent.sendItems([fullItem(1, snapshot)]);
    await agent.next('ack');
    ({ browser, page, problems } = await openConsoleBrowser());
  });

  after(async () => {
    await browser?.close();
    await agent?.close();
    await h?.close();
  });

  it('adds an uploaded installer to the package store and deploys it from the device page; the steps show as the agent reports them', async () => {
    await page.goto(`${h.url}/devices/${encodeURIComponent(deviceId)}`);
    await fillSignIn(page, 'alex', PASSWORD);
    await page.getByRole('heading', { level: 1, name: 'lab-pc' }).waitFor();
    await page.getByRole('link', { name: 'Deploy software' }).click();
    await page.getByRole('heading', { level: 1, name: 'Software deployment' }).waitFor();
    assert.equal(await page.getByLabel('Device ids').inputValue(), deviceId, 'the device page presets the selection');

    await page.getByLabel('Installer').selectOption('deb');
    await page
      .getByLabel('File')
      .setInputFiles({ name: 'lab-tool_1.0_all.deb', mimeType: 'application/vnd.debian.binary-package', buffer: INSTALLER });
    await page.getByLabel('Name', { exact: true }).fill('Lab tool');
    await page.getByLabel('Version', { exact: true }).fill('1.0');
    await page.getByLabel('Detected as (inventory name)').fill('lab-tool');
    await page.getByRole('button', { name: 'Add package' }).click();
    await page.getByRole('row', { name: /Lab tool 1\.0/ }).waitFor();
    await check(page, 'deploy');

    await page.getByLabel('Package', { exact: true }).selectOption({ label: 'Lab tool 1.0 (deb)' });
    await page.getByRole('button', { name: 'Deploy', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Deployment of Lab tool 1.0' }).waitFor();

    // The connected agent gets the command at once, signed with the key it pinned at enrolment.
    const msg = await agent.next('deploy', 10_000);
    assert.ok(signedByServer(msg.command, msg.signature, deployKey));
    assert.equal(msg.command.deviceId, deviceId);
    assert.deepEqual(msg.command.package.file, { sha256: createHash('sha256').update(INSTALLER).digest('hex'), size: INSTALLER.length });
    const id = msg.command.deploymentId;
    const step = (seq: number, state: string, extra: object = {}): Item =>
      ({ seq, at: new Date().toISOString(), kind: 'deploy.status', body: { deploymentId: id, state, attempt: 1, ...extra } }) as Item;
    agent.sendItems([
      step(2, 'queued'),
      step(3, 'downloading'),
      step(4, 'installing'),
      step(5, 'succeeded', { exitCode: 0, rebootRequired: true, outputTail: 'Setting up lab-tool (1.0) ...' }),
    ]);
    await agent.next('ack');

    // No reload: the page follows the live events (/api/events).
    const target = page.getByRole('region', { name: /lab-pc/ });
    await target.getByText('Installed', { exact: true }).first().waitFor();
    await target.getByText('Restart needed').waitFor();
    assert.deepEqual(
      (await target.getByRole('listitem').allTextContents()).map((t) => t.split(' — ')[0]),
      ['Queued', 'Downloading', 'Installing', 'Installed'],
    );
    await target.getByText('Installer output (last lines)').click();
    await target.getByText('Setting up lab-tool (1.0) ...').waitFor();
    await check(page, 'deployment');

    await page.getByRole('link', { name: 'Software deployment' }).click();
    await page.getByRole('row', { name: /Lab tool 1\.0 1 installed/ }).waitFor();
    assert.deepEqual(problems, []);
  });
});
