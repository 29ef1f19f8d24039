// The tray telling the person when IT answers, end to end: a real server and agent, the tray's real
// main process on the Electron fake (which records native notifications), its built pages in
// Chromium. IT replies and resolves through the server's API; the person is told once, sees what is
// new, reads it, and reopens a resolved ticket. Every tray page is checked with axe-core and worked
// from the keyboard alone. Needs `npm run build` and Chromium at /usr/bin/chromium.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import axe from 'axe-core';
import type { Page } from 'playwright-core';
import { TRAY_VIEWS } from '../shared/tray-api.js';
import { agentAt } from '../tray-ui/main/agent.js';
import type { RunningTray } from '../tray-ui/main/app.js';
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
import { deadline } from './support/deadline.js';

const root = new URL('../', import.meta.url).pathname;
const built = join(root, 'dist', 'tray');

interface ServerTicket {
  id: number;
  ref: string;
  status: string;
  notes: { text: string; fromEndpoint: boolean }[];
}

describe('the tray tells the person when IT answers', { timeout: deadline(240_000) }, () => {
  let dir: string;
  let server: ServerProc;
  let agent: AgentProc;
  let electron: FakeElectron;
  let tray: RunningTray;
  let browser: TrayBrowser;
  const tickets: Record<'printer' | 'vpn', ServerTicket> = {} as never;

  let running: BuiltTray;
  const startTrayApp = async () => {
    running = await startBuiltTray(dir, join(dir, 'agent'));
    ({ electron, tray, browser } = running);
  };
  const stopTrayApp = () => running.stop();
  const api = <T>(path: string, method = 'GET', body?: unknown) =>
    server.api<T>(
      path,
      body === undefined ? { method } : { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
    );
  const ticket = async (id: number) => (await api<ServerTicket>(`/api/tickets/${id}`)).body;
  /** Asks the agent until this many notifications were raised, then twice more: a late duplicate would show. */
  const notified = async (count: number) => {
    await waitFor(
      async () => {
        await tray.notifier.check();
        return electron.notifications.length >= count ? true : undefined;
      },
      20_000,
      `${count} notification(s)`,
    );
    await tray.notifier.check();
    await tray.notifier.check();
    return electron.notifications;
  };
  const raise = async (subject: string) => {
    const { ref } = await agentAt(join(dir, 'agent'))('ticket.create', { subject, description: `${subject}, since this morning.` });
    const found = await waitFor(
      async () => {
        const list = (await api<{ items: ServerTicket[] }>(`/api/tickets?q=${encodeURIComponent(subject)}`)).body.items;
        return list.find((t) => t.ref === ref);
      },
      20_000,
      `ticket ${subject} on the server`,
    );
    // The agent has its number once the server's answer came back.
    await waitFor(
      async () => ((await agentAt(join(dir, 'agent'))('ticket.get', { ref })).number !== null ? true : undefined),
      20_000,
      'the number',
    );
    return found;
  };

  before(async () => {
    assert.ok(existsSync(join(built, 'renderer', 'tickets.js')), 'dist/tray is missing: run `npm run build` first');
    mkdirSync(SCREENSHOTS, { recursive: true });
    dir = tempDir('outpost-tray-news-');
    server = await startServer(join(dir, 'server'));
    agent = startAgent(server.url, join(dir, 'agent'), await createToken(join(dir, 'server')));
    await waitForDevice(server);
    await startTrayApp();
    tickets.printer = await raise('Printer on floor 2 jams');
    tickets.vpn = await raise('VPN drops every hour');
  });

  after(async () => {
    await stopTrayApp().catch(() => undefined);
  });

  it('an IT reply is exactly one notification, the icon shows the dot, and My tickets marks it new', async () => {
    await notified(0);
    assert.equal(electron.notifications.length, 0, 'my own new tickets are no news');
    await api(`/api/tickets/${tickets.printer.id}/notes`, 'POST', {
      text: 'Could you send a photo of the printer’s display?',
      visibility: 'customer',
    });
    await api(`/api/tickets/${tickets.printer.id}/notes`, 'POST', { text: 'Internal: fuser part 4471 ordered.', visibility: 'internal' });

    const shown = await notified(1);
    assert.deepEqual(
      shown.map((n) => [n.options.title, n.options.body, n.shown]),
      [['IT replied: Printer on floor 2 jams', 'Could you send a photo of the printer’s display?', true]],
    );
    const icon = electron.trays[0]!;
    assert.match(icon.currentIcon(), /tray-unread\.png$/);
    assert.equal(electron.menu().labels()[1], 'My tickets (1 ticket with news)');

    // Looking at the other ticket: the list shows which one has news.
    tray.windows.open('tickets', tickets.vpn.ref);
    const { page, problems } = await browser.open('tickets');
    await page.getByRole('heading', { name: 'VPN drops every hour' }).waitFor();
    const printerItem = page.locator(`[data-ref="${tickets.printer.ref}"]`);
    await printerItem.locator('.unread-dot').waitFor();
    assert.match((await printerItem.textContent()) ?? '', /new reply or change from IT/);
    assert.equal(await page.locator(`[data-ref="${tickets.vpn.ref}"] .unread-dot`).count(), 0);
    await page.screenshot({ path: join(SCREENSHOTS, 'my-tickets-unread.png') });
    await screenshotNotification(page, shown[0]!.options);
    assert.deepEqual(problems, []);
  });

  it('clicking the notification opens that ticket; seeing it clears the dot and the badge', async () => {
    electron.notifications[0]!.click();
    const { page, problems } = await browser.open('tickets');
    await page.getByRole('heading', { name: 'Printer on floor 2 jams' }).waitFor();
    await page.locator('.note.unread').getByText('Could you send a photo').waitFor();
    assert.equal(await page.getByText('Internal: fuser part').count(), 0, 'internal notes stay with IT');
    await waitFor(() => (/tray\.png$/.test(electron.trays[0]!.currentIcon()) ? true : undefined), 10_000, 'the badge to go');
    assert.equal(electron.menu().labels()[1], 'My tickets');
    const seen = await agentAt(join(dir, 'agent'))('ticket.get', { ref: tickets.printer.ref });
    assert.equal(seen.unread, false, 'read, kept by the agent');
    assert.deepEqual(problems, []);
  });

  it('after the agent and the tray restart, nothing is told twice', async () => {
    await stopTrayApp();
    await agent.stop();
    agent = startAgent(server.url, join(dir, 'agent'));
    await waitFor(async () => ((await agent.status().catch(() => undefined))?.connected ? true : undefined), 30_000, 'the agent back');
    await startTrayApp();
    await tray.notifier.check();
    await tray.notifier.check();
    assert.equal(electron.notifications.length, 0);
    assert.match(electron.trays[0]!.currentIcon(), /tray\.png$/);
  });

  it('a resolved ticket is told once; the person reopens it with a note and IT has it open again', async () => {
    await api(`/api/tickets/${tickets.vpn.id}`, 'PATCH', { status: 'resolved' });
    const shown = await notified(1);
    assert.deepEqual(
      shown.map((n) => n.options.title),
      [`Ticket #${tickets.vpn.id} is resolved`],
    );

    shown[0]!.click();
    const { page, problems } = await browser.open('tickets');
    await page.getByText('Is it fixed for you?').waitFor();
    await page.getByRole('button', { name: 'Reopen…' }).click();
    await page.getByLabel('What is still wrong?').fill('It dropped again at 10:15.');
    await page.getByRole('button', { name: 'Reopen ticket' }).click();
    await page.getByText('Ticket reopened. IT will see your note.').waitFor();
    const reopened = await waitFor(
      async () => {
        const t = await ticket(tickets.vpn.id);
        return t.status === 'open' && t.notes.some((n) => n.fromEndpoint && n.text === 'It dropped again at 10:15.') ? t : undefined;
      },
      20_000,
      'the reopen on the server',
    );
    assert.equal(reopened.status, 'open');
    await waitFor(async () => ((await agent.status()).pendingItems === 0 ? true : undefined), 20_000, 'the outbox to drain');
    await notified(1);
    assert.equal(electron.notifications.length, 1, 'my own reopen is no news');
    assert.deepEqual(problems, []);
  });

  it('every tray page passes axe-core (WCAG 2 A/AA, best practice)', async () => {
    for (const view of TRAY_VIEWS) {
      const { page } = await browser.open(view);
      await page.waitForLoadState('networkidle');
      // Runtime evaluation is not subject to the page's CSP, so the page keeps its own.
      await page.evaluate(axe.source);
      const violations = await page.evaluate(async () => {
        const inPage = (globalThis as unknown as { axe: typeof axe }).axe;
        const r = await inPage.run({ runOnly: ['wcag2a', 'wcag2aa', 'best-practice'] });
        return r.violations.map(
          (v) =>
            `${v.id}: ${v.help} (${v.nodes
              .map((n) => n.target.join(' '))
              .slice(0, 3)
              .join(', ')})`,
        );
      });
      assert.deepEqual(violations, [], `axe-core on the ${view} page`);
    }
  });

  it('a ticket is raised, answered and reopened from the keyboard alone', async () => {
    const form = await browser.open('ticket');
    await form.page.getByLabel('Subject').focus();
    await form.page.keyboard.type('Keyboard only: the mouse is broken');
    await form.page.keyboard.press('Tab');
    await form.page.keyboard.type('My mouse stopped working, so I am using the keyboard.');
    await tabTo(form.page, 'send');
    await form.page.keyboard.press('Enter');
    await form.page.getByRole('heading', { name: 'Ticket sent' }).waitFor();
    const raised = await waitFor(
      async () => {
        const list = (await api<{ items: ServerTicket[] }>(`/api/tickets?q=${encodeURIComponent('Keyboard only')}`)).body.items;
        return list[0];
      },
      20_000,
      'the keyboard ticket on the server',
    );
    await api(`/api/tickets/${raised.id}`, 'PATCH', { status: 'resolved' });
    await waitFor(
      async () => ((await agentAt(join(dir, 'agent'))('ticket.get', { ref: raised.ref })).status === 'resolved' ? true : undefined),
      20_000,
      'resolved here',
    );

    const { page, problems } = await browser.open('tickets');
    await page.locator(`[data-ref="${raised.ref}"]`).waitFor();
    await tabTo(page, raised.ref);
    await page.keyboard.press('Enter');
    await page.getByText('Is it fixed for you?').waitFor();
    await tabTo(page, 'reopen-ticket');
    await page.keyboard.press('Enter');
    await page.keyboard.type('Still broken after the resolution.');
    await tabTo(page, 'confirm-reopen-button');
    await page.keyboard.press('Enter');
    await page.getByText('Ticket reopened. IT will see your note.').waitFor();
    await waitFor(async () => ((await ticket(raised.id)).status === 'open' ? true : undefined), 20_000, 'reopened on the server');

    const session = await browser.open('session');
    await session.page.getByLabel('Ticket ID', { exact: true }).focus();
    await session.page.keyboard.type(String(raised.id));
    await tabTo(session.page, 'technician');
    await session.page.keyboard.type('Sam Okafor');
    await tabTo(session.page, 'start');
    await session.page.keyboard.press('Enter');
    await session.page.getByText(`Running on ticket #${raised.id} for Sam Okafor`).waitFor();
    assert.deepEqual([...problems, ...form.problems, ...session.problems], []);
  });
});

/** Presses Tab until the element with this id (or data-ref) has the focus. */
async function tabTo(page: Page, id: string): Promise<void> {
  for (let i = 0; i < 60; i++) {
    const at = await page.evaluate<string>(
      "(document.activeElement && (document.activeElement.id || document.activeElement.dataset.ref)) || ''",
    );
    if (at === id) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`#${id} is not reachable with Tab`);
}

/** The notification as a desktop shows it, drawn from what the tray handed the OS (README screenshot). */
async function screenshotNotification(page: Page, n: { title: string; body: string }): Promise<void> {
  const card = page.context();
  const shot = await card.newPage();
  await shot.setViewportSize({ width: 420, height: 120 });
  const esc = (s: string) => s.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!);
  await shot.setContent(
    `<body style="margin:0;background:#2b2d31;font:14px system-ui,sans-serif">
      <div style="margin:12px;padding:12px 14px;border-radius:12px;background:#3b3d42;color:#f3f4f6;display:flex;gap:12px">
        <div style="width:36px;height:36px;border-radius:8px;background:linear-gradient(#3b82f6,#1d4ed8);flex:none"></div>
        <div><div style="font-weight:600;margin-bottom:4px">${esc(n.title)}</div><div style="color:#d1d5db">${esc(n.body)}</div>
        <div style="color:#9ca3af;font-size:12px;margin-top:4px">Outpost · now</div></div>
      </div></body>`,
  );
  await shot.screenshot({ path: join(SCREENSHOTS, 'notification.png') });
  await shot.close();
}
