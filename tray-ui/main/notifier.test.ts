import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TicketNotification } from '../../shared/local-api.js';
import { trayChannel, type TrayResult } from '../../shared/tray-api.js';
import { MemoryFiles, StubAgent, startTestTray } from '../../test/support/tray/tray.js';
import { notificationText } from './notifier.js';
import { MENU_IDS } from './tray.js';

const REPLY: TicketNotification = {
  id: 1,
  ref: 'ref-printer-1',
  number: 4,
  subject: 'Printer jams',
  kind: 'reply',
  status: 'open',
  text: 'Can you send the printer model?',
  at: '2025-03-03T10:05:00.000Z',
};

/** An agent that keeps notifications the way the real one does: pending until told they were shown. */
class NewsAgent extends StubAgent {
  items: TicketNotification[] = [];
  shown = new Set<number>();
  unread = 0;
  failShown = false;

  constructor() {
    super();
    this.answer('notifications.pending', () => ({ items: this.items.filter((n) => !this.shown.has(n.id)), unreadTickets: this.unread }));
    this.answer('notifications.shown', (params) => {
      if (this.failShown) throw new Error('the agent went away');
      const { ids } = params as { ids: number[] };
      ids.forEach((id) => this.shown.add(id));
      return { marked: ids.length };
    });
    this.answer('ticket.markRead', () => {
      this.unread = 0;
      return { unreadTickets: 0 };
    });
  }
}

async function trayWith(agent: NewsAgent, now = new Date('2025-03-03T12:00:00')) {
  const t = await startTestTray({ agent, now });
  await t.tray.notifier.check();
  return t;
}

describe('the tray tells the person when IT answers', () => {
  it('one reply: exactly one notification, the badge on, and clicking it opens that ticket', async (t) => {
    const agent = new NewsAgent();
    agent.items = [REPLY];
    agent.unread = 1;
    const { electron, tray } = await trayWith(agent);
    t.after(() => tray.stop());

    assert.deepEqual(
      electron.notifications.map((n) => [n.options.title, n.options.body, n.shown]),
      [['IT replied: Printer jams', 'Can you send the printer model?', true]],
    );
    assert.deepEqual(agent.callsOf('notifications.shown'), [{ ids: [1] }]);
    await tray.notifier.check();
    await tray.notifier.check();
    assert.equal(electron.notifications.length, 1, 'never shown twice');

    const icon = electron.trays[0]!;
    assert.match(icon.currentIcon(), /tray-unread\.png$/);
    assert.equal(electron.menu().item(MENU_IDS.tickets).label, 'My tickets (1 ticket with news)');
    assert.match(icon.toolTip, /1 ticket with news/);

    electron.notifications[0]!.click();
    const win = electron.openWindows()[0]!;
    assert.equal(win.webContents.url, 'outpost://tray/tickets.html#ticket=ref-printer-1');

    // The page marks the ticket read once the person sees it: the badge goes at once.
    const read = (await electron.ipcMain.invokeFrom(win, trayChannel('markRead'), { ref: REPLY.ref })) as TrayResult<unknown>;
    assert.deepEqual(read, { ok: true, value: { unreadTickets: 0 } });
    assert.match(icon.currentIcon(), /tray\.png$/);
    assert.equal(electron.menu().item(MENU_IDS.tickets).label, 'My tickets');
  });

  it('a burst of news becomes one summary notification', async (t) => {
    const agent = new NewsAgent();
    agent.items = [1, 2, 3, 4].map((id) => ({ ...REPLY, id, ref: id % 2 ? 'ref-a-00000001' : 'ref-b-00000002' }));
    const { electron, tray } = await trayWith(agent);
    t.after(() => tray.stop());
    assert.deepEqual(
      electron.notifications.map((n) => [n.options.title, n.options.body]),
      [['4 updates from IT', 'On 2 of your tickets']],
    );
    electron.notifications[0]!.click();
    assert.equal(electron.openWindows()[0]!.webContents.url, 'outpost://tray/tickets.html');
  });

  it('quiet hours hold notifications until they end; the badge shows meanwhile', async (t) => {
    const agent = new NewsAgent();
    agent.items = [REPLY];
    agent.unread = 1;
    const clock = { now: new Date('2025-03-03T23:30:00') };
    const files = new MemoryFiles();
    files.files.set(
      '/home/ada/.config/Outpost/notifications.json',
      JSON.stringify({ enabled: true, quietHours: { from: '22:00', to: '07:00' } }),
    );
    const { electron, tray } = await startTestTray({ agent, files, now: () => clock.now });
    t.after(() => tray.stop());
    await tray.notifier.check();
    assert.equal(electron.notifications.length, 0);
    assert.deepEqual(agent.callsOf('notifications.shown'), [], 'held, not let go');
    assert.match(electron.trays[0]!.currentIcon(), /tray-unread\.png$/);

    clock.now = new Date('2025-03-04T06:59:00');
    await tray.notifier.check();
    assert.equal(electron.notifications.length, 0);
    clock.now = new Date('2025-03-04T07:00:00');
    await tray.notifier.check();
    assert.equal(electron.notifications.length, 1);
    assert.deepEqual(agent.callsOf('notifications.shown'), [{ ids: [1] }]);
  });

  it('with notifications turned off nothing pops up, the news is let go, and the badge still shows', async (t) => {
    const agent = new NewsAgent();
    const { electron, tray } = await trayWith(agent);
    t.after(() => tray.stop());
    const win = tray.windows.open('status') as unknown as (typeof electron.windows)[number];
    const set = (await electron.ipcMain.invokeFrom(win, trayChannel('setNotifications'), {
      enabled: false,
      quietHours: null,
    })) as TrayResult<unknown>;
    assert.deepEqual(set, { ok: true, value: { openAtLogin: true, notifications: false, quietHours: null } });
    const bad = (await electron.ipcMain.invokeFrom(win, trayChannel('setNotifications'), {
      enabled: true,
      quietHours: { from: '25:00', to: '07:00' },
    })) as TrayResult<unknown>;
    assert.equal(bad.ok, false);

    agent.items = [REPLY];
    agent.unread = 1;
    await tray.notifier.check();
    assert.equal(electron.notifications.length, 0);
    assert.deepEqual(agent.callsOf('notifications.shown'), [{ ids: [1] }]);
    assert.match(electron.trays[0]!.currentIcon(), /tray-unread\.png$/);
  });

  it('shows nothing twice even when telling the agent fails', async (t) => {
    const agent = new NewsAgent();
    agent.failShown = true;
    agent.items = [REPLY];
    const { electron, tray } = await trayWith(agent);
    t.after(() => tray.stop());
    await tray.notifier.check();
    assert.equal(electron.notifications.length, 1);
  });

  it('says what happened in the words of the person', () => {
    assert.deepEqual(notificationText({ ...REPLY, kind: 'status', status: 'resolved', text: '' }), {
      title: 'Ticket #4 is resolved',
      body: 'Printer jams — is it fixed? Open the ticket to confirm or reopen it.',
    });
    assert.deepEqual(notificationText({ ...REPLY, kind: 'waiting', status: 'pending', text: '' }), {
      title: 'IT is waiting for your answer',
      body: 'Ticket #4: Printer jams',
    });
    assert.deepEqual(
      notificationText({ ...REPLY, number: null, kind: 'status', status: 'open', text: '' }).title,
      'Your ticket is being worked on',
    );
    // The desk's number (or Outpost's OP- form) as the server labels it, never Outpost's bare number.
    assert.equal(
      notificationText({ ...REPLY, label: '#4711', kind: 'status', status: 'open', text: '' }).title,
      'Ticket #4711 is being worked on',
    );
    assert.equal(
      notificationText({ ...REPLY, label: 'OP-4', kind: 'status', status: 'open', text: '' }).title,
      'Ticket OP-4 is being worked on',
    );
  });
});
