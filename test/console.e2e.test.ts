// The web console end to end: the built console served by a real server, a real agent on this
// machine, Debian's Chromium driven by Playwright. An admin created with `outpost admin create`
// signs in, finds this machine, searches its software, watches a dpkg install reach the timeline
// and the agent go offline and online without a reload, changes the status of a ticket raised
// through the local API and sees it reach `outpost ticket list`. Every page is checked with axe-core
// and saved as a PNG (test/support/console.ts). Needs `npm run build`, root (dpkg) and /usr/bin/chromium.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { callLocalAgent } from '../agent/local-api/client.js';
import { openDatabase } from '../server/store/sqlite/open.js';
import { SqliteSoftwareRequestStore } from '../server/store/sqlite/software-requests.js';
import { checkPage as check, fillSignIn, openConsoleBrowser } from './support/console.js';
import { buildDeb, dpkgInstall, dpkgPurgeQuietly, requireRoot, testPackageName } from './support/deb.js';
import {
  createToken,
  runToEnd,
  startAgent,
  startServer,
  tempDir,
  waitFor,
  waitForDevice,
  waitForOutput,
  type AgentProc,
  type ServerProc,
} from './support/outpost.js';
import { deadline } from './support/deadline.js';

const root = new URL('../', import.meta.url).pathname;
const PACKAGE = testPackageName('console');
const PASSWORD = 'correct horse battery staple';

describe('web console end to end', { timeout: deadline(300_000) }, () => {
  let dir: string;
  let server: ServerProc;
  let agent: AgentProc;
  let agentToken: string;
  let device: { id: string; hostname: string };
  let browser: Browser;
  let page: Page;
  let problems: string[];

  before(async () => {
    requireRoot();
    assert.ok(existsSync(join(root, 'dist', 'console', 'index.html')), 'dist/console is missing: run `npm run build` first');
    await dpkgPurgeQuietly(PACKAGE);
    dir = tempDir('outpost-console-e2e-');
    const data = join(dir, 'server');
    writeFileSync(join(dir, 'password'), `${PASSWORD}\n`, { mode: 0o600 });
    const admin = await runToEnd(['admin', 'create', 'alex', '--data', data, '--password-file', join(dir, 'password')]);
    assert.equal(admin.code, 0, admin.output);
    server = await startServer(data);
    agentToken = await createToken(data);
    agent = startAgent(server.url, join(dir, 'agent'), agentToken);
    device = await waitForDevice(server);
    ({ browser, page, problems } = await openConsoleBrowser());
  });

  after(async () => {
    await browser?.close();
    await agent?.stop();
    await server?.stop();
    await dpkgPurgeQuietly(PACKAGE);
  });

  const checkPage = (name: string) => check(page, name);

  /** The focused element's tag and text (the DOM types are not in this project's lib). */
  async function activeElement(): Promise<{ tag: string; text: string }> {
    return page.evaluate(() => {
      const el = (globalThis as unknown as { document: { activeElement: { tagName: string; textContent: string | null } | null } }).document
        .activeElement;
      return { tag: el?.tagName ?? '', text: el?.textContent?.trim() ?? '' };
    });
  }

  it('serves the console with a strict CSP and refuses a wrong password', async () => {
    const res = await fetch(`${server.url}/`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    await page.goto(server.url);
    await fillSignIn(page, 'alex', 'not the password');
    await page
      .getByRole('alert')
      .filter({ hasText: /password/i })
      .waitFor();
    await checkPage('sign-in');
  });

  it('signs in with an HttpOnly SameSite session cookie', async () => {
    await fillSignIn(page, 'alex', PASSWORD);
    await page.getByRole('heading', { level: 1, name: 'Devices' }).waitFor();
    const cookie = (await page.context().cookies()).find((c) => c.name === 'outpost_session');
    assert.ok(cookie, 'a session cookie');
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'Strict');
  });

  it('refuses a state change made with the cookie but without the CSRF token', async () => {
    const cookie = (await page.context().cookies()).find((c) => c.name === 'outpost_session')!;
    const headers = { cookie: `outpost_session=${cookie.value}`, 'content-type': 'application/json' };
    const refused = await fetch(`${server.url}/api/tokens`, { method: 'POST', headers, body: '{}' });
    assert.equal(refused.status, 403);
    assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'E_CSRF');
    const tokens = await server.api<{ items: unknown[] }>('/api/tokens');
    assert.equal(tokens.body.items.length, 1, 'no token was created');
  });

  it('finds this machine by a fragment of its hostname and opens it', async () => {
    await page.getByLabel('Search devices').fill(device.hostname.slice(0, Math.max(3, device.hostname.length - 2)));
    const link = page.getByRole('link', { name: device.hostname, exact: true });
    await link.waitFor();
    await checkPage('devices');
    await link.click();
    await page.getByRole('heading', { level: 1, name: device.hostname }).waitFor();
    await page.getByRole('heading', { name: 'Hardware' }).waitFor();
  });

  it('searches the software of this machine', async () => {
    await page.getByLabel('Search software').fill('coreutils');
    await page.getByRole('rowheader', { name: 'coreutils', exact: true }).waitFor();
    await checkPage('device');
  });

  it('shows a dpkg install in the timeline without a reload', async () => {
    const navigations: string[] = [];
    page.on('framenavigated', (f) => {
      if (f === page.mainFrame()) navigations.push(f.url());
    });
    const deb = await buildDeb(dir, PACKAGE, '1.2.3');
    await dpkgInstall(deb);
    const timeline = page.getByTestId('timeline');
    await timeline.getByText(new RegExp(`Installed ${PACKAGE} 1\\.2\\.3`)).waitFor({ timeout: deadline(20_000) });
    assert.deepEqual(navigations, [], 'the page did not navigate or reload');
  });

  it('shows the agent going offline and online without a reload', async () => {
    const state = page.getByTestId('device-state');
    await state.getByText('Online').waitFor();
    await agent.stop();
    await state.getByText('Offline').waitFor({ timeout: deadline(15_000) });
    agent = startAgent(server.url, join(dir, 'agent'));
    await state.getByText('Online').waitFor({ timeout: deadline(20_000) });
  });

  it('"Scan now" reaches the agent, which scans at once', async () => {
    await page.getByRole('button', { name: 'Scan now' }).click();
    await page.getByText(/Scan requested/).waitFor();
    await waitForOutput(agent, /"trigger":"server".*"msg":"inventory scanned"/, 20_000);
  });

  it('lists fleet software and the prohibited list', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Software' }).click();
    await page.getByLabel('Search software').fill(PACKAGE);
    await page.getByRole('link', { name: PACKAGE }).click();
    await page.getByRole('heading', { level: 1, name: PACKAGE }).waitFor();
    await page.getByRole('link', { name: device.hostname }).waitFor();
    await checkPage('package');
    await page.goto(`${server.url}/software`);
    await page.getByRole('link', { name: 'Prohibited list' }).click();
    await page.getByLabel('Pattern', { exact: true }).fill('outpost-console-*');
    await page.getByRole('button', { name: 'Add pattern' }).click();
    await page.getByRole('cell', { name: 'outpost-console-*' }).waitFor();
    await checkPage('prohibited');
  });

  it('shows a device IT allowed to keep a prohibited package, leaves it out of the count, and revokes it', async () => {
    const added = await server.api('/api/prohibited', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pattern: PACKAGE }),
    });
    assert.equal(added.status, 201, JSON.stringify(added.body));
    await page.reload();
    const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: PACKAGE }) });
    await row.getByRole('cell', { name: '1', exact: true }).waitFor();
    // The person asks to keep it from the endpoint; IT's approval is recorded as the desk poll records one.
    await callLocalAgent(
      join(dir, 'agent'),
      'software.request',
      { kind: 'exception', name: PACKAGE, reason: 'QA' },
      { timeoutMs: deadline(10_000) },
    );
    const ticketId = await waitFor(
      async () =>
        (await server.api<{ items: { id: number; subject: string }[] }>('/api/tickets')).body.items.find(
          (t) => t.subject === `Exception to the prohibited list: ${PACKAGE}`,
        )?.id,
      30_000,
      'the exception request on the server',
    );
    const db = openDatabase(join(dir, 'server'));
    try {
      const approved = { state: 'approved' as const, reason: null, at: new Date().toISOString() };
      assert.equal(await new SqliteSoftwareRequestStore(db).decide(ticketId, approved, Date.now()), true);
    } finally {
      db.close();
    }
    await page.reload();
    const exemption = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: device.hostname, exact: true }) });
    await exemption.getByRole('cell', { name: PACKAGE, exact: true }).waitFor();
    await exemption.getByRole('link', { name: `Ticket ${ticketId}` }).waitFor();
    await row.getByRole('cell', { name: '0', exact: true }).waitFor();
    await checkPage('prohibited-exemptions');
    await exemption.getByRole('button', { name: `Revoke ${device.hostname}'s exemption for ${PACKAGE}` }).click();
    await page.getByText('No device is exempt.').waitFor();
    await row.getByRole('cell', { name: '1', exact: true }).waitFor();
  });

  it("changes a ticket's status and the endpoint's `outpost ticket list` shows it", async () => {
    const state = join(dir, 'agent');
    const created = await runToEnd([
      'ticket',
      'create',
      '--state',
      state,
      '--json',
      '--subject',
      'Printer on floor 3 jams',
      '--description',
      'Every second page.',
    ]);
    assert.equal(created.code, 0, created.output);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tickets' }).click();
    const link = page.getByRole('link', { name: 'Printer on floor 3 jams' });
    await link.waitFor({ timeout: deadline(15_000) });
    await checkPage('tickets');
    await link.click();
    await page.getByLabel('Status', { exact: true }).selectOption('resolved');
    await page.getByRole('button', { name: 'Save status' }).click();
    await page.getByLabel('Note text').fill('Replaced the pickup roller.');
    await page.getByLabel(/Customer-facing/).check();
    await page.getByRole('button', { name: 'Add note' }).click();
    await page.getByText('Replaced the pickup roller.').waitFor();
    await checkPage('ticket');
    const line = await waitFor(
      async () => {
        const list = await runToEnd(['ticket', 'list', '--state', state]);
        return list.stdout.split('\n').find((l) => l.includes('Printer on floor 3 jams') && /resolved/i.test(l));
      },
      15_000,
      'the resolved ticket in `outpost ticket list`',
    );
    assert.match(line, /resolved/i);
  });

  it('creates an enrolment token with its install command, and revokes it', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Enrolment' }).click();
    await page.getByLabel('Label').fill('Floor 3 laptops');
    await page.getByLabel('Uses').fill('25');
    await page.getByRole('button', { name: 'Create token' }).click();
    const created = page.getByTestId('new-token');
    await created.waitFor();
    const command = await created
      .getByLabel('Install command')
      .inputValue()
      .catch(async () => created.getByLabel('Install command').innerText());
    assert.match(
      command,
      new RegExp(`outpost agent --server ${server.url.replace(/[.]/g, '\\.')}\\S* --token-file /etc/outpost/enrol-token$`),
    );
    assert.doesNotMatch(command, /--token \S/, 'the token stays out of the agent command line');
    // The same enrolment as installer settings: the deb/rpm's agent.json downloads from the page.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      created.getByRole('link', { name: 'Linux (deb/rpm): agent.json' }).click(),
    ]);
    const saved = await download.path();
    const settings = JSON.parse(readFileSync(saved, 'utf8')) as { server: string; token: string };
    assert.equal(settings.token, await created.getByLabel('Token', { exact: true }).inputValue());
    assert.match(settings.server, /^http:\/\/127\.0\.0\.1:\d+$/);
    for (const name of ['Windows: install-outpost.cmd', 'macOS: outpost.mobileconfig']) await created.getByRole('link', { name }).waitFor();
    await checkPage('enrolment');
    await page.getByRole('button', { name: /Revoke .*Floor 3 laptops/ }).click();
    await page.getByRole('button', { name: 'Yes, revoke' }).click();
    await page
      .getByRole('row', { name: /Floor 3 laptops/ })
      .getByText(/revoked/i)
      .waitFor();
  });

  it('works from the keyboard: skip link, then Tab and Enter to a device, whose heading takes the focus', async () => {
    await page.goto(`${server.url}/devices`);
    await page.getByRole('heading', { level: 1, name: 'Devices' }).waitFor();
    const focused = async () => (await activeElement()).text;
    await page.keyboard.press('Tab');
    assert.equal(await focused(), 'Skip to content');
    await page.keyboard.press('Enter');
    let presses = 0;
    while ((await focused()) !== device.hostname) {
      assert.ok(++presses <= 25, `Tab never reached the link to ${device.hostname}`);
      await page.keyboard.press('Tab');
    }
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: device.hostname }).waitFor();
    // The heading takes the focus once the device has loaded (an effect after the paint).
    await waitFor(async () => ((await activeElement()).tag === 'H1' ? true : undefined), 2_000, 'the focus on the page heading');
  });

  it('shows the service-desk page and signs out', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Service desk' }).click();
    await page.getByRole('heading', { level: 1, name: 'Service desk' }).waitFor();
    await checkPage('desk-none');
    const cookie = (await page.context().cookies()).find((c) => c.name === 'outpost_session')!;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    const old = await fetch(`${server.url}/api/devices`, { headers: { cookie: `outpost_session=${cookie.value}` } });
    assert.equal(old.status, 401, 'the old session cookie no longer works');
    assert.deepEqual(problems, [], 'no errors in the browser console');
  });
});
