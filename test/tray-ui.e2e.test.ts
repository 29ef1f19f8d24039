// The tray app end to end: its built pages and preload in real Chromium, its real main-process
// handlers (on the Electron fake), the real agent over its local API, the real server. A person
// raises tickets (online and offline), follows one in My tickets, and a technician records a
// remote session. Each window is saved as a PNG: to test-output/screenshots/, or to the README's
// docs/screenshots/ with OUTPOST_UPDATE_SCREENSHOTS=1 (so a test run leaves the docs alone).
// Needs `npm run build` (dist/ and dist/tray/) and Chromium at /usr/bin/chromium (CHROMIUM_PATH).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { worklogMinutes } from '../shared/tickets.js';
import { TRAY_VIEWS, type TrayView } from '../shared/tray-api.js';
import type { TrayBrowser } from './support/tray/browser.js';
import { startBuiltTray, type BuiltTray } from './support/tray/built-tray.js';
import type { FakeElectron } from './fakes/electron.js';
import { SCREENSHOTS } from './support/screenshots.js';
import {
  createToken,
  startAgent,
  startServer,
  tempDir,
  waitFor,
  waitForDevice,
  type AgentProc,
  type ServerProc,
} from './support/outpost.js';
import { agentSettled } from './support/quiesce.js';
import { deadline } from './support/deadline.js';

const root = new URL('../', import.meta.url).pathname;
const built = join(root, 'dist', 'tray');

interface TicketSummary {
  id: number;
  ref: string;
  subject: string;
  status: string;
}
interface TicketDetail extends TicketSummary {
  description: string;
  priority: string;
  category: string | null;
  device: { deviceId: string | null; hostname: string; os: string; ip: string[]; loggedOnUser?: string };
  attachments: { name: string; size: number; screenshot: boolean }[];
  notes: { text: string; visibility: string; fromEndpoint: boolean }[];
  worklogs: { technician: string; start: string; end: string; minutes: number; description: string; hostname: string }[];
}

describe('tray app end to end', { timeout: deadline(240_000) }, () => {
  let dir: string;
  let server: ServerProc;
  let port: number;
  let agent: AgentProc;
  let browser: TrayBrowser;
  let electron: FakeElectron;
  let running: BuiltTray;
  let deviceId: string;
  let firstTicket: TicketSummary;

  before(async () => {
    assert.ok(existsSync(join(built, 'renderer', 'ticket.js')), 'dist/tray is missing: run `npm run build` first');
    mkdirSync(SCREENSHOTS, { recursive: true });
    dir = tempDir('outpost-tray-e2e-');
    server = await startServer(join(dir, 'server'));
    port = Number(new URL(server.url).port);
    agent = startAgent(server.url, join(dir, 'agent'), await createToken(join(dir, 'server')));
    deviceId = (await waitForDevice(server)).id;

    running = await startBuiltTray(dir, join(dir, 'agent'));
    ({ electron, browser } = running);
  });

  after(async () => {
    await running?.stop();
  });

  const tickets = async (subject: string) =>
    (await server.api<{ items: TicketSummary[] }>(`/api/tickets?q=${encodeURIComponent(subject)}`)).body.items.filter(
      (t) => t.subject === subject,
    );
  const detail = async (id: number) => (await server.api<TicketDetail>(`/api/tickets/${id}`)).body;

  it("raises a ticket through the form; the server has it with the device's details", async () => {
    const { page, problems } = await browser.open('ticket');
    await page.getByText('Connected', { exact: true }).waitFor();
    const subject = 'Printer on floor 2 jams on every page';
    await page.getByLabel('Subject').fill(subject);
    await page.getByLabel('Description').fill('Since this morning the printer jams after one page.\nError 13.2 on its screen.');
    await page.getByLabel('Priority').selectOption('high');
    await page.getByLabel('Category').selectOption('Printing');

    const log = join(dir, 'printer-error.log');
    writeFileSync(log, 'E13.2 paper jam tray 2\n'.repeat(200));
    electron.dialog.choices.push([log]);
    await page.getByRole('button', { name: 'Attach files…' }).click();
    await page.getByRole('button', { name: 'Remove printer-error.log' }).waitFor();
    await page.getByRole('button', { name: 'Add a screenshot' }).click();
    await page.getByRole('img', { name: /Screenshot of your screen/ }).waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'ticket-form.png') });

    await page.getByRole('button', { name: 'Send ticket' }).click();
    await page.getByRole('heading', { name: 'Ticket sent' }).waitFor();

    const [found] = await waitFor(
      async () => {
        const list = await tickets(subject);
        return list.length > 0 ? list : undefined;
      },
      20_000,
      'the ticket on the server',
    );
    firstTicket = found!;
    const t = await detail(firstTicket.id);
    assert.equal(t.priority, 'high');
    assert.equal(t.category, 'Printing');
    assert.match(t.description, /Error 13\.2/);
    assert.equal(t.device.deviceId, deviceId);
    assert.equal(t.device.hostname, hostname());
    assert.ok(t.device.os.length > 0, 'the OS is attached');
    assert.deepEqual(
      t.attachments.map((a) => [a.name, a.screenshot]).sort(),
      [
        ['printer-error.log', false],
        [t.attachments.find((a) => a.screenshot)?.name, true],
      ].sort(),
    );
    assert.equal(t.attachments.find((a) => a.name === 'printer-error.log')?.size, 'E13.2 paper jam tray 2\n'.length * 200);
    assert.deepEqual(problems, []);
  });

  it('raised while the server is down, a ticket is kept and reaches the server exactly once when it is back', async () => {
    const { page, problems } = await browser.open('ticket');
    await server.kill();
    await waitFor(async () => ((await agent.status()).connected ? undefined : true), 15_000, 'the agent to notice the server is gone');
    await page.reload();
    await page.getByText('You are offline.').waitFor();
    const subject = 'VPN drops every few minutes';
    await page.getByLabel('Subject').fill(subject);
    await page.getByLabel('Description').fill('The VPN disconnects every five minutes or so.');
    await page.getByRole('button', { name: 'Save and send later' }).click();
    await page.getByRole('heading', { name: 'Ticket saved' }).waitFor();
    await page.getByText('sends it once, as soon as it is back online').waitFor();

    server = await startServer(join(dir, 'server'), { port, adminToken: server.adminToken });
    await waitFor(async () => ((await tickets(subject)).length > 0 ? true : undefined), 60_000, 'the offline ticket on the server');
    await agentSettled(server, agent, deviceId); // the outbox drained and delivered: a late duplicate would be in
    assert.equal((await tickets(subject)).length, 1, 'delivered once');
    assert.deepEqual(problems, []);
  });

  it("a status change and a reply on the server show in My tickets; the person's note reaches IT", async () => {
    await server.api(`/api/tickets/${firstTicket.id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'pending' }),
    });
    const note = (text: string, visibility: string) =>
      server.api(`/api/tickets/${firstTicket.id}/notes`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text, visibility, author: 'Jo from IT' }),
      });
    await note('Could you switch the printer off and on again, and tell us if it still jams?', 'customer');
    await note('Probably the fuser; order part 4471 if the restart does not help.', 'internal');

    const { page, problems } = await browser.open('tickets');
    const item = page.locator(`[data-ref="${firstTicket.ref}"]`);
    await eventually(page, async () => (await item.textContent())?.includes('Pending') ?? false);
    assert.match((await item.textContent()) ?? '', new RegExp(`#${firstTicket.id}`));
    await item.click();
    await page.getByText('Could you switch the printer off and on again').waitFor();
    assert.equal(await page.getByText('order part 4471').count(), 0, 'internal notes stay on the server');
    await page.screenshot({ path: join(SCREENSHOTS, 'my-tickets.png') });

    await page.getByLabel('Add a note for IT').fill('Switched it off and on: it still jams, on the second page now.');
    await page.getByRole('button', { name: 'Add note' }).click();
    await page.getByText('Note added.').waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'ticket-detail.png') });
    await waitFor(
      async () => ((await detail(firstTicket.id)).notes.some((n) => n.fromEndpoint && /second page/.test(n.text)) ? true : undefined),
      20_000,
      "the person's note on the server",
    );
    assert.deepEqual(problems, []);
  });

  it('a worklog for an unknown ticket shows why; corrected, it is recorded with its minutes', async () => {
    const { page, problems } = await browser.open('session');
    await page.getByLabel('Ticket ID', { exact: true }).fill('999999');
    await page.getByLabel('Technician').fill('Sam Okafor');
    await page.getByText('Enter start and end').click();
    await page.getByLabel('Start', { exact: true }).fill('2025-03-03T09:00');
    await page.getByLabel('End', { exact: true }).fill('2025-03-03T09:45');
    await page.getByLabel('Notes').fill('Cleaned the paper path.');
    await page.getByRole('button', { name: 'Record worklog' }).click();
    await page.getByText('Recorded 45 min on ticket #999999.').waitFor();

    const fix = page.getByLabel('Correct ticket ID');
    await eventually(page, async () => (await fix.count()) > 0, 'reload');
    const rejected = (await page.locator('.worklog.state-rejected').textContent()) ?? '';
    assert.match(rejected, /Not accepted/);
    // The reason is the server's own words, naming the ticket that does not exist.
    assert.match(rejected, /There is no ticket #?999999\. Check the ticket number/);
    await fix.fill(String(firstTicket.id));
    await page.getByRole('button', { name: 'Send again' }).click();
    await waitFor(async () => ((await detail(firstTicket.id)).worklogs.length > 0 ? true : undefined), 20_000, 'the corrected worklog');
    const [w] = (await detail(firstTicket.id)).worklogs;
    assert.equal(w!.minutes, 45);
    assert.equal(w!.technician, 'Sam Okafor');
    assert.equal(w!.description, 'Cleaned the paper path.');
    assert.equal(w!.hostname, hostname());
    assert.deepEqual(problems, []);
  });

  it('records a remote session with the timer; the server has it with the right minutes', async () => {
    const { page, problems } = await browser.open('session');
    await page.getByText('Timer', { exact: true }).click();
    await page.getByLabel('Ticket ID', { exact: true }).fill(`#${firstTicket.id}`);
    await page.getByLabel('Technician').fill('Sam Okafor');
    const startedAt = Date.now();
    await page.getByRole('button', { name: 'Start timer' }).click();
    await page.getByText(`Running on ticket #${firstTicket.id} for Sam Okafor`).waitFor();
    // Past 30 s a session counts as a minute: long enough for minutes to be something to check.
    await page.waitForTimeout(Math.max(0, 31_000 - (Date.now() - startedAt)));
    await page.getByLabel('Notes').fill('Remote session: replaced the print driver.');
    await page.screenshot({ path: join(SCREENSHOTS, 'remote-session.png') });
    await page.getByRole('button', { name: 'Stop and record' }).click();
    const stoppedAt = Date.now();
    await page.getByText(`Recorded 1 min on ticket #${firstTicket.id}.`).waitFor();

    const timed = await waitFor(
      async () => (await detail(firstTicket.id)).worklogs.find((w) => /print driver/.test(w.description)),
      20_000,
      'the timed worklog on the server',
    );
    const seconds = (Date.parse(timed.end) - Date.parse(timed.start)) / 1000;
    assert.ok(seconds >= 30 && seconds <= (stoppedAt - startedAt) / 1000 + 2, `the session lasted ${seconds} s`);
    assert.equal(timed.minutes, worklogMinutes(timed.start, timed.end));
    assert.equal(timed.minutes, 1);
    assert.deepEqual(problems, []);
  });

  it('the status window says connected, names the computer, and scans on request', async () => {
    const { page, problems } = await browser.open('status');
    await page.getByRole('heading', { name: 'Connected' }).waitFor();
    await page.getByText(hostname(), { exact: true }).waitFor();
    await page.getByText(deviceId).waitFor();
    assert.equal(await page.getByLabel('Start Outpost when I log in').isChecked(), true);
    await page.getByRole('button', { name: 'Scan now' }).click();
    await page.getByText(/^Scan finished/).waitFor({ timeout: deadline(60_000) });
    await page.screenshot({ path: join(SCREENSHOTS, 'status.png') });
    assert.deepEqual(problems, []);
  });

  it('every window works from the keyboard alone, shows where the focus is, and labels every control', async () => {
    const reachable: Record<TrayView, string[]> = {
      ticket: ['subject', 'description', 'priority', 'category', 'attach', 'screenshot', 'cancel', 'send'],
      tickets: ['new-ticket', 'refresh', 'note-text', 'close-ticket', 'add-note'],
      software: ['refresh', 'reason', 'exception-name', 'exception-reason', 'ask-exception'],
      session: ['ticket-id', 'technician', 'mode-timer', 'start', 'notes'],
      status: ['scan', 'open-tickets', 'open-ticket', 'open-at-login'],
    };
    for (const view of TRAY_VIEWS) {
      const { page, problems } = await browser.open(view);
      await page.waitForLoadState('networkidle');
      const unlabelled = await page.evaluate(UNLABELLED_CONTROLS);
      assert.deepEqual(unlabelled, [], `${view}: controls without a label`);

      const seen = new Map<string, string>();
      for (let i = 0; i < 40; i++) {
        await page.keyboard.press('Tab');
        const focus = await page.evaluate<{ id: string; outline: string } | null>(FOCUSED);
        if (focus?.id) seen.set(focus.id, focus.outline);
      }
      for (const id of reachable[view]) {
        assert.ok(seen.has(id), `${view}: #${id} is reachable with Tab (reached: ${[...seen.keys()].join(', ')})`);
        assert.notEqual(seen.get(id), 'none', `${view}: #${id} shows a focus ring`);
      }
      assert.deepEqual(problems, []);
    }
  });
});

// Run in the page: form controls with no <label for>, aria-label or aria-labelledby, and buttons
// with no text.
const UNLABELLED_CONTROLS = `[...document.querySelectorAll('input, select, textarea, button')]
  .filter((el) => el.tagName === 'BUTTON'
    ? !(el.textContent.trim() || el.getAttribute('aria-label'))
    : !(el.labels.length || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')))
  .map((el) => el.id || el.outerHTML)`;
const FOCUSED = `(() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const ring = style.outlineStyle !== 'none' && style.outlineWidth !== '0px';
  return { id: el.id || el.dataset.ref || '', outline: ring || style.boxShadow !== 'none' ? style.outlineStyle + ' ' + style.boxShadow : 'none' };
})()`;

/** Clicks the page's Refresh (or reloads) until `probe` holds: the pages poll, the test need not wait. */
async function eventually(
  page: Page,
  probe: () => Promise<boolean>,
  how: 'refresh' | 'reload' = 'refresh',
  timeoutMs = 20_000,
): Promise<void> {
  await waitFor(
    async () => {
      if (await probe()) return true;
      if (how === 'reload') await page.reload();
      else await page.getByRole('button', { name: 'Refresh' }).click();
      await page.waitForTimeout(250);
      return undefined;
    },
    timeoutMs,
    'the page to show the change',
  );
}
