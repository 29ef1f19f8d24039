// Working from a device in the web console, and desk technicians as console users, end to end: the
// built console served by a real server (in this process, so that the fake desk of
// test/fakes/desk-connector.ts stands in for RT), a protocol-speaking agent over a real socket, and
// Debian's Chromium driven by Playwright. IT sees a device's tickets with the desk's numbers (and the
// desk's other tickets on its asset), raises one in a desk queue (it reaches the desk on the device's
// asset and the endpoint's list), reads the device's logbook; technicians sign in with their desk
// password within the seat limit and the next is refused; a read-only user is refused a state
// change. Every page is checked with axe-core.
// Needs `npm run build` and /usr/bin/chromium.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { createAdminAccount } from '../server/auth/accounts.js';
import { parseDeskSettings } from '../server/desk/sync/settings.js';
import { SqliteStore } from '../server/store/sqlite/sqlite-store.js';
import { FakeDesk } from './fakes/desk-connector.js';
import { checkPage as check, fillSignIn, openConsoleBrowser } from './support/console.js';
import { TEST_SCRYPT } from './support/server/auth-app.js';
import { deltaItem, fullItem, hintsFor, machine, pkg } from './support/server/fixtures.js';
import { startHarness, type Harness } from './support/server/harness.js';
import { TestAgent } from './support/server/test-agent.js';
import { createItem } from './support/server/ticket-fixtures.js';
import { deadline } from './support/deadline.js';

const root = new URL('../', import.meta.url).pathname;
const PASSWORD = 'correct horse battery staple';

async function waitFor<T>(probe: () => Promise<T | undefined> | T | undefined, what: string, ms = 15_000): Promise<T> {
  const giveUpAt = Date.now() + deadline(ms);
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > giveUpAt) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('console: working from a device, technicians and roles', { timeout: deadline(300_000) }, () => {
  const desk = new FakeDesk();
  let h: Harness;
  let agent: TestAgent;
  let deviceId: string;
  let browser: Browser;
  let page: Page;
  let problems: string[];

  before(async () => {
    assert.ok(existsSync(join(root, 'dist', 'console', 'index.html')), 'dist/console is missing: run `npm run build` first');
    desk.technicians.set('tom', 'toms rt password');
    desk.technicians.set('tina', 'tinas rt password');
    const settings = parseDeskSettings({
      kind: 'rt',
      url: 'http://rt.invalid',
      user: 'outpost',
      secret: 'x',
      requesterDomain: 'example.com',
    });
    h = await startHarness({ desk: settings, deskConnector: desk });
    // Accounts as `outpost admin create` makes them, in the server's own database.
    const store = SqliteStore.open(h.dataDir);
    try {
      await createAdminAccount(store.admins, 'alex', PASSWORD, Date.now(), TEST_SCRYPT);
      await createAdminAccount(store.admins, 'rita', PASSWORD, Date.now(), TEST_SCRYPT);
      assert.equal(await store.admins.setRole('rita', 'read-only', Date.now()), 'ok');
    } finally {
      await store.close();
    }
    agent = await TestAgent.connect(h.wsUrl);
    // A first inventory's packages are not copied into the history: the logbook shows them as installed later.
    const first = { ...machine({ hostname: 'desk-pc', serial: 'SN-DESK-PC', software: [] }), users: [{ name: 'bob' }] };
    const snapshot = { ...first, software: [pkg('bash', '5.2'), pkg('htop', '3.2')] };
    ({ deviceId } = await agent.enrol(await h.server.createEnrolmentToken(), hintsFor(first, 'inst-desk-pc')));
    agent.sendItems([fullItem(1, first), deltaItem(2, first, snapshot), createItem(3, 'ref-tray-printer')]);
    await agent.next('ack');
    await waitFor(() => (desk.tickets.size === 1 ? true : undefined), 'the tray ticket in the desk');
    ({ browser, page, problems } = await openConsoleBrowser());
  });

  after(async () => {
    await browser?.close();
    await agent?.close();
    await h?.close();
  });

  const checkPage = (name: string) => check(page, name);
  const signOut = async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    // The next user starts from the devices list, not the page the last one left.
    await page.goto(`${h.url}/devices`);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
  };

  it("lists the device's tickets with the desk's number and status, and the desk's others on its asset", async () => {
    // A technician took a call and raised a ticket in the desk on the device's asset.
    const tray = [...desk.tickets.values()][0]!;
    desk.tickets.set('by-phone-7', { ...tray, idempotencyKey: 'by-phone', subject: 'Called: screen flickers', status: 'open' });
    await page.goto(`${h.url}/devices/${encodeURIComponent(deviceId)}`);
    await fillSignIn(page, 'alex', PASSWORD);
    await page.getByRole('heading', { level: 1, name: 'desk-pc' }).waitFor();
    const tickets = page.getByTestId('device-tickets');
    const deskNumber = [...desk.tickets.keys()][0]!;
    const row = tickets.getByRole('row', { name: /Printer on floor 2 jams/ });
    await row.waitFor();
    await row.getByRole('cell', { name: `#${deskNumber}`, exact: true }).waitFor();
    await row.getByText('New').waitFor();
    const phoned = page.getByTestId('device-desk-tickets').getByRole('row', { name: /Called: screen flickers/ });
    await phoned.getByRole('cell', { name: '#by-phone-7', exact: true }).waitFor();
    await phoned.getByText('Open').waitFor();
    assert.equal(await tickets.getByText('Called: screen flickers').count(), 0, "the desk's ticket is not one of Outpost's");
    await checkPage('device-tickets');
  });

  it('raises a ticket for the device in a desk queue: it reaches the desk on the asset and the endpoint', async () => {
    agent.discard('tickets');
    await page.getByRole('button', { name: 'Raise a ticket' }).click();
    await page.getByLabel('Subject').fill('Replace the battery');
    await page.getByLabel('Description').fill('It lasts 40 minutes on a charge.');
    await page.getByLabel('Priority').selectOption('high');
    await page.getByLabel('Desk queue').selectOption('Hardware');
    await checkPage('device-raise-ticket');
    await page.getByRole('button', { name: 'Raise ticket' }).click();
    const row = page.getByTestId('device-tickets').getByRole('row', { name: /Replace the battery/ });
    await row.waitFor();
    await row.getByRole('cell', { name: 'Hardware' }).waitFor();

    const inDesk = await waitFor(
      () => [...desk.tickets.values()].find((t) => t.subject === 'Replace the battery'),
      'the ticket in the desk',
    );
    const tray = [...desk.tickets.values()].find((t) => t.subject === 'Printer on floor 2 jams')!;
    assert.equal(inDesk.queue, 'Hardware');
    assert.equal(inDesk.priority, 'high');
    assert.equal(inDesk.assetId, tray.assetId, "on the device's asset, like the tray ticket");
    assert.equal(inDesk.requesterEmail, 'bob@example.com');
    const pushed = await agent.next('tickets', 10_000);
    assert.ok(
      pushed.tickets.some((t) => t.subject === 'Replace the battery'),
      "the ticket reaches the endpoint's list",
    );
    // Once the desk has it, the device page shows the desk's number for it.
    const deskNumber = [...desk.tickets.entries()].find(([, t]) => t === inDesk)![0];
    await page.reload();
    await page
      .getByTestId('device-tickets')
      .getByRole('row', { name: /Replace the battery/ })
      .getByRole('cell', { name: `#${deskNumber}`, exact: true })
      .waitFor();
  });

  it("shows the device's logbook: inventory, tickets, notes, status and desk events, newest first", async () => {
    const logbook = page.getByTestId('logbook');
    await logbook.getByText('Ticket raised by alex in the console: Replace the battery').waitFor();
    await logbook.getByText(/Software: added bash 5\.2, htop 3\.2/).waitFor();
    await logbook.getByText('Ticket raised by alice: Printer on floor 2 jams').waitFor();
    await logbook
      .getByText(/Desk ticket sent/)
      .first()
      .waitFor();
    // A status change made on the ticket page appears on the device's logbook.
    await page.getByTestId('device-tickets').getByRole('link', { name: 'Printer on floor 2 jams' }).click();
    await page.getByLabel('Status', { exact: true }).selectOption('resolved');
    await page.getByRole('button', { name: 'Save status' }).click();
    await page
      .getByText(/Status changed to Resolved/)
      .first()
      .waitFor();
    await page.goto(`${h.url}/devices/${encodeURIComponent(deviceId)}#logbook`);
    await logbook.getByText('Status New → Resolved').waitFor();
    const first = await logbook.locator('li').first().innerText();
    assert.match(first, /Status New → Resolved|Desk status sent/, 'the newest entry comes first');
    // Open tickets come before resolved ones.
    const subjects = await page.getByTestId('device-tickets').getByRole('rowheader').allInnerTexts();
    assert.deepEqual(subjects, ['Replace the battery', 'Printer on floor 2 jams']);
    await checkPage('device-logbook');
  });

  it('lets desk technicians sign in with their desk password within the seat limit, and refuses the next one', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
    await page.getByRole('heading', { level: 1, name: 'Users' }).waitFor();
    await page.getByLabel('Let desk technicians sign in with their desk password').check();
    await page.getByLabel('Seat limit').fill('1');
    await page.getByLabel('Role of new technicians').selectOption('operator');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Console settings saved.').waitFor({ state: 'attached' });
    await checkPage('users');
    await signOut();

    await fillSignIn(page, 'tom', 'toms rt password');
    await page.getByRole('heading', { level: 1, name: 'Devices' }).waitFor();
    await page.getByTestId('account-role').getByText('operator').waitFor();
    await signOut();

    await fillSignIn(page, 'tina', 'tinas rt password');
    await page
      .getByRole('alert')
      .filter({ hasText: /All 1 console seat for desk technicians are taken/ })
      .waitFor();
    await checkPage('sign-in-seat-limit');
    await page.goto(`${h.url}/devices`);
    const users = await h.api<{ items: { username: string }[]; seats: { used: number; limit: number } }>('/api/users');
    assert.deepEqual(users.body.seats, { used: 1, limit: 1 });
    assert.deepEqual(users.body.items.map((u) => u.username).sort(), ['alex', 'rita', 'tom']);
  });

  it('refuses a read-only user a state change, and changes nothing', async () => {
    await fillSignIn(page, 'rita', PASSWORD);
    await page.getByRole('heading', { level: 1, name: 'Devices' }).waitFor();
    await page.getByTestId('account-role').getByText('read-only').waitFor();
    const navigation = await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allInnerTexts();
    assert.equal(navigation.includes('Users'), false, 'the Users page is not offered');
    const ticket = (await h.api<{ items: { id: number; subject: string; status: string }[] }>('/api/tickets')).body.items.find(
      (t) => t.subject === 'Replace the battery',
    )!;
    await page.goto(`${h.url}/tickets/${ticket.id}`);
    await page.getByLabel('Status', { exact: true }).selectOption('closed');
    await page.getByRole('button', { name: 'Save status' }).click();
    await page.getByRole('alert').filter({ hasText: 'This needs the operator role; rita is read-only.' }).waitFor();
    await checkPage('read-only-refused');
    const after = await h.api<{ status: string }>(`/api/tickets/${ticket.id}`);
    assert.equal(after.body.status, ticket.status, 'the status did not change');
    assert.deepEqual(
      problems.filter((p) => !/status of 403/.test(p)),
      [],
      'no errors in the browser console',
    );
  });
});
