import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { trayChannel, type TrayResult, type TraySettings } from '../../shared/tray-api.js';
import type { FakeBrowserWindow } from '../../test/fakes/electron.js';
import { startTestTray } from '../../test/support/tray/tray.js';
import { autostartEntry } from './login-item.js';

const AUTOSTART = '/home/ada/.config/autostart/outpost-tray.desktop';
const SETTINGS = '/home/ada/.config/Outpost/settings.json';

async function statusWindow(platform: NodeJS.Platform) {
  const t = await startTestTray({ platform });
  const win = t.tray.windows.open('status') as FakeBrowserWindow;
  const invoke = async (method: 'getSettings' | 'setOpenAtLogin', arg?: unknown) => {
    const r = (await t.electron.ipcMain.invokeFrom(
      win,
      trayChannel(method),
      ...(arg === undefined ? [] : [arg]),
    )) as TrayResult<TraySettings>;
    assert.ok(r.ok);
    return r.value;
  };
  return { ...t, invoke };
}

describe('start at login', () => {
  it('is on from the first start on Linux, through an XDG autostart entry', async (t) => {
    const { files, invoke, tray } = await statusWindow('linux');
    t.after(() => tray.stop());
    assert.deepEqual(await invoke('getSettings'), { openAtLogin: true, notifications: true, quietHours: null });
    assert.equal(files.files.get(AUTOSTART), autostartEntry('/opt/Outpost/outpost'));
    assert.match(String(files.files.get(AUTOSTART)), /^Exec=\/opt\/Outpost\/outpost$/m);
    assert.doesNotMatch(String(files.files.get(AUTOSTART)), /Hidden/);
  });

  it('turning it off hides the entry (over the system-wide one too) and is remembered', async (t) => {
    const { files, invoke, tray } = await statusWindow('linux');
    t.after(() => tray.stop());
    assert.deepEqual(await invoke('setOpenAtLogin', { enabled: false }), { openAtLogin: false, notifications: true, quietHours: null });
    assert.match(String(files.files.get(AUTOSTART)), /^Hidden=true$/m);
    assert.deepEqual(JSON.parse(String(files.files.get(SETTINGS))), { openAtLogin: false });
    assert.deepEqual(await invoke('getSettings'), { openAtLogin: false, notifications: true, quietHours: null });
    await tray.loginItem.apply();
    assert.match(String(files.files.get(AUTOSTART)), /^Hidden=true$/m, 'a restart does not turn it back on');

    await invoke('setOpenAtLogin', { enabled: true });
    assert.doesNotMatch(String(files.files.get(AUTOSTART)), /Hidden/);
  });

  it('uses the login item on Windows and macOS', async (t) => {
    for (const platform of ['win32', 'darwin'] as const) {
      const { electron, invoke, tray } = await statusWindow(platform);
      t.after(() => tray.stop());
      assert.deepEqual(electron.app.loginItemCalls, [{ openAtLogin: true }]);
      await invoke('setOpenAtLogin', { enabled: false });
      assert.deepEqual(electron.app.getLoginItemSettings(), { openAtLogin: false });
    }
  });

  it('quotes an executable path with spaces', () => {
    assert.match(autostartEntry('/home/ada/Apps/Outpost 1.0.AppImage'), /^Exec="\/home\/ada\/Apps\/Outpost 1\.0\.AppImage"$/m);
  });
});
