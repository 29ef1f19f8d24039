import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OutpostError } from '../../shared/errors.js';
import { FakeElectron } from '../../test/fakes/electron.js';
import { RecordingLogger } from '../../test/fakes/recording-logger.js';
import { StubAgent, startTestTray } from '../../test/support/tray/tray.js';
import { startTray } from './app.js';
import { MENU_IDS } from './tray.js';
import { viewUrl } from './windows.js';
import { deadline } from '../../test/support/deadline.js';

describe('tray menu', () => {
  it('offers the actions in order, with the status line disabled', async (t) => {
    const { electron, tray } = await startTestTray();
    t.after(() => tray.stop());
    assert.deepEqual(electron.menu().labels(), [
      'Raise a ticket…',
      'My tickets',
      'Get software…',
      'Record remote session…',
      'Scan now',
      'Connected · no inventory sent yet',
      'Status and settings…',
      'Quit Outpost',
    ]);
    assert.equal(electron.menu().item(MENU_IDS.status).enabled, false);
    assert.equal(electron.trays.length, 1);
    assert.match(electron.trays[0]!.icon, /tray\.png$/);
  });

  for (const [id, view] of [
    [MENU_IDS.ticket, 'ticket'],
    [MENU_IDS.tickets, 'tickets'],
    [MENU_IDS.software, 'software'],
    [MENU_IDS.session, 'session'],
    [MENU_IDS.openStatus, 'status'],
  ] as const) {
    it(`${id} opens the ${view} window, and brings the same one back on the next click`, async (t) => {
      const { electron, tray } = await startTestTray();
      t.after(() => tray.stop());
      electron.menu().click(id);
      assert.equal(electron.windows.length, 1);
      const win = electron.windows[0]!;
      assert.equal(win.webContents.getURL(), viewUrl(view));
      await Promise.resolve();
      assert.equal(win.visible, true, 'shown once ready');

      win.hide();
      electron.menu().click(id);
      assert.equal(electron.windows.length, 1, 're-used, not a second window');
      assert.equal(win.visible, true);
      assert.ok(win.focusCount > 0);
    });
  }

  it('makes a new window after the person closed the last one', async (t) => {
    const { electron, tray } = await startTestTray();
    t.after(() => tray.stop());
    electron.menu().click(MENU_IDS.tickets);
    electron.windows[0]!.close();
    electron.menu().click(MENU_IDS.tickets);
    assert.equal(electron.openWindows().length, 1);
    assert.equal(electron.windows.length, 2);
  });

  it('Scan now asks the agent to scan, says so while it runs, then shows the new inventory time', async (t) => {
    const agent = new StubAgent();
    let finish!: () => void;
    agent.answer('scan.now', () => new Promise((resolve) => (finish = () => resolve({ queued: true, changed: true, pendingItems: 1 }))));
    const now = new Date(2025, 2, 3, 10, 45);
    const { electron, tray } = await startTestTray({ agent, now });
    t.after(() => tray.stop());

    electron.menu().click(MENU_IDS.scan);
    assert.equal(agent.callsOf('scan.now').length, 1);
    assert.equal(electron.menu().item(MENU_IDS.status).label, 'Scanning…');
    assert.equal(electron.menu().item(MENU_IDS.scan).enabled, false, 'no second scan while one runs');

    agent.status = { ...agent.status, lastInventoryAt: new Date(2025, 2, 3, 10, 42).toISOString(), lastTrigger: 'manual' };
    finish();
    await waitFor(() => electron.menu().item(MENU_IDS.status).label !== 'Scanning…');
    await waitFor(() => electron.menu().item(MENU_IDS.status).label === 'Connected · last inventory 10:42');
    assert.equal(electron.menu().item(MENU_IDS.scan).enabled, true);
    assert.equal(electron.trays[0]!.toolTip, 'Outpost — Connected · last inventory 10:42');
  });

  it('says why a scan failed', async (t) => {
    const agent = new StubAgent().answer('scan.now', () => {
      throw new OutpostError('E_CONFLICT', 'A scan is already running.');
    });
    const { electron, tray } = await startTestTray({ agent });
    t.after(() => tray.stop());
    electron.menu().click(MENU_IDS.scan);
    await waitFor(() => electron.menu().item(MENU_IDS.status).label === 'Scan failed: A scan is already running.');
  });

  it('says offline, and that tickets will follow, when the agent has no link to the server', async (t) => {
    const agent = new StubAgent();
    agent.status = { ...agent.status, connected: false };
    const { electron, tray } = await startTestTray({ agent });
    t.after(() => tray.stop());
    assert.equal(electron.menu().item(MENU_IDS.status).label, 'Offline — tickets will be sent when back online');
  });

  it('says when the agent is not running, and asks again when the menu opens', async (t) => {
    const agent = new StubAgent();
    agent.unreachable = true;
    const { electron, tray } = await startTestTray({ agent });
    t.after(() => tray.stop());
    assert.equal(electron.menu().item(MENU_IDS.status).label, 'Outpost agent is not running');

    agent.unreachable = false;
    const asked = agent.callsOf('status').length;
    electron.menu().open();
    await waitFor(() => electron.menu().item(MENU_IDS.status).label === 'Connected · no inventory sent yet');
    assert.equal(agent.callsOf('status').length, asked + 1);
  });

  it('shows the day as well when the last inventory was not today', async (t) => {
    const agent = new StubAgent();
    agent.status = { ...agent.status, lastInventoryAt: new Date(2025, 2, 1, 9, 5).toISOString() };
    const { electron, tray } = await startTestTray({ agent, now: new Date(2025, 2, 3, 12, 0) });
    t.after(() => tray.stop());
    assert.equal(electron.menu().item(MENU_IDS.status).label, 'Connected · last inventory 1 Mar, 09:05');
  });

  it('Quit quits the app', async (t) => {
    const { electron, tray } = await startTestTray();
    t.after(() => tray.stop());
    electron.menu().click(MENU_IDS.quit);
    assert.equal(electron.app.quitCalls, 1);
  });

  it('opens the menu on a left click on Windows and macOS', async (t) => {
    const { electron, tray } = await startTestTray({ platform: 'win32' });
    t.after(() => tray.stop());
    electron.trays[0]!.emit('click');
    assert.equal(electron.trays[0]!.popUps, 1);
  });
});

describe('single instance', () => {
  it('a second tray quits at once and sets nothing up', async () => {
    const electron = new FakeElectron();
    electron.app.anotherInstanceRunning = true;
    const agent = new StubAgent();
    const running = await startTray(electron, {
      agent: agent.call,
      log: new RecordingLogger(),
      platform: 'linux',
      rendererDir: '/r',
      preloadPath: '/p.cjs',
      iconPath: '/i.png',
      unreadIconPath: '/i-unread.png',
      execPath: '/e',
      autostartDir: '/a',
    });
    assert.equal(running, undefined);
    assert.equal(electron.app.quitCalls, 1);
    assert.equal(electron.trays.length, 0);
    assert.equal(electron.ipcMain.handlers.size, 0);
    assert.equal(agent.calls.length, 0);
  });

  it('launching the app again shows the ticket form of the running one', async (t) => {
    const { electron, tray } = await startTestTray();
    t.after(() => tray.stop());
    electron.app.launchAgain();
    await waitFor(() => electron.windows.length === 1);
    assert.equal(electron.windows[0]!.webContents.getURL(), viewUrl('ticket'));
    assert.equal(electron.trays.length, 1);
  });

  it('keeps running when the last window closes', async (t) => {
    const { electron, tray } = await startTestTray();
    t.after(() => tray.stop());
    electron.menu().click(MENU_IDS.tickets);
    await waitFor(() => electron.openWindows().length === 1);
    electron.openWindows()[0]!.close();
    assert.equal(electron.openWindows().length, 0);
    assert.equal(electron.app.quitCalls, 0, 'the app did not quit');
    assert.equal(electron.trays.length, 1);
    assert.equal(electron.trays[0]!.destroyed, false, 'the tray icon is still there');
    // and the menu still works: the same item opens a window again
    electron.menu().click(MENU_IDS.tickets);
    await waitFor(() => electron.openWindows().length === 1);
  });
});

async function waitFor(probe: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + deadline(ms);
  while (!probe()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setImmediate(r));
  }
}
