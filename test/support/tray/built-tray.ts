// The built tray app (dist/tray) on the Electron fake, talking to a real agent's local API, with its
// windows shown in Debian's Chromium: what the tray end-to-end tests start.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { agentAt } from '../../../tray-ui/main/agent.js';
import { startTray, type RunningTray } from '../../../tray-ui/main/app.js';
import { silentLogger } from '../../../shared/log.js';
import { FakeElectron } from '../../fakes/electron.js';
import { TrayBrowser } from './browser.js';

export const BUILT_TRAY = join(new URL('../../../', import.meta.url).pathname, 'dist', 'tray');

export interface BuiltTray {
  electron: FakeElectron;
  tray: RunningTray;
  browser: TrayBrowser;
  stop(): Promise<void>;
}

/** Starts the tray for the agent whose state is `agentStateDir`; its own files go under `dir`. */
export async function startBuiltTray(dir: string, agentStateDir: string): Promise<BuiltTray> {
  const electron = new FakeElectron({ userData: join(dir, 'tray') });
  const tray = await startTray(electron, {
    agent: agentAt(agentStateDir),
    log: silentLogger,
    platform: 'linux',
    rendererDir: join(BUILT_TRAY, 'renderer'),
    preloadPath: join(BUILT_TRAY, 'preload.cjs'),
    iconPath: join(BUILT_TRAY, 'assets', 'tray.png'),
    unreadIconPath: join(BUILT_TRAY, 'assets', 'tray-unread.png'),
    execPath: '/opt/Outpost/outpost-tray',
    autostartDir: join(dir, 'autostart'),
    sleep: async () => undefined,
  });
  assert.ok(tray, 'the tray started');
  const browser = new TrayBrowser({
    electron,
    windows: tray.windows,
    rendererDir: join(BUILT_TRAY, 'renderer'),
    preloadPath: join(BUILT_TRAY, 'preload.cjs'),
  });
  await browser.start();
  return {
    electron,
    tray,
    browser,
    stop: async () => {
      await browser.stop();
      tray.stop();
    },
  };
}
