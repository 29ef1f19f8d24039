// The tray app's wiring, as a list of setup steps. It takes the Electron API and everything that
// touches the machine as parameters, so the whole app starts under plain Node with the fake.
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../../shared/log.js';
import type { AgentCall } from './agent.js';
import { setupContent, TRAY_PARTITION } from './content.js';
import { Drafts } from './drafts.js';
import type { ElectronPorts } from './electron-ports.js';
import type { FileReader } from './files.js';
import { createTrayHandlers } from './handlers.js';
import { setupIpc } from './ipc.js';
import { LoginItem, setupLoginItem, type LoginItemFs } from './login-item.js';
import { NotificationSettingsFile } from './notification-settings.js';
import { Notifier } from './notifier.js';
import { setupSingleInstance } from './single-instance.js';
import { StatusMonitor } from './status.js';
import { setupTray, type TrayHandle } from './tray.js';
import { TrayWindows } from './windows.js';

export interface TrayConfig {
  agent: AgentCall;
  log: Logger;
  platform: NodeJS.Platform;
  /** The built renderer pages, the preload script and the tray icon. */
  rendererDir: string;
  preloadPath: string;
  iconPath: string;
  unreadIconPath: string;
  execPath: string;
  autostartDir: string;
  now?: () => Date;
  files?: FileReader;
  loginItemFs?: LoginItemFs;
  sleep?: (ms: number) => Promise<void>;
}

export interface RunningTray {
  windows: TrayWindows;
  tray: TrayHandle;
  monitor: StatusMonitor;
  loginItem: LoginItem;
  notifier: Notifier;
  stop(): void;
}

/** Returns undefined when another instance already runs (this one quits). */
export async function startTray(electron: ElectronPorts, config: TrayConfig): Promise<RunningTray | undefined> {
  const drafts = new Drafts();
  const windows = new TrayWindows({
    BrowserWindow: electron.BrowserWindow,
    preloadPath: config.preloadPath,
    devTools: !electron.app.isPackaged,
    onClosed: (_view, webContentsId) => drafts.clear(webContentsId),
  });
  // Launched again (Start menu, dock, a second login item): show the ticket form of this one.
  const raiseTicket = () => void electron.app.whenReady().then(() => windows.open('ticket'));
  if (!setupSingleInstance(electron.app, raiseTicket)) return undefined;
  await electron.app.whenReady();
  // A tray app lives on with no window open.
  electron.app.on('window-all-closed', () => undefined);
  setupContent(electron.session.fromPartition(TRAY_PARTITION), config.rendererDir);
  const monitor = new StatusMonitor(config.agent);
  const loginItem = new LoginItem({
    app: electron.app,
    fs: config.loginItemFs ?? nodeLoginItemFs,
    platform: config.platform,
    settingsPath: join(electron.app.getPath('userData'), 'settings.json'),
    autostartDir: config.autostartDir,
    execPath: config.execPath,
  });
  const notificationSettings = new NotificationSettingsFile(
    config.loginItemFs ?? nodeLoginItemFs,
    join(electron.app.getPath('userData'), 'notifications.json'),
  );
  // The tray icon exists only further down; the unread count waits for it.
  let setUnread: (count: number) => void = () => undefined;
  const stopIpc = setupIpc({
    ipcMain: electron.ipcMain,
    isOwnSender: (event) => windows.isOwnSender(event),
    log: config.log,
    handlers: createTrayHandlers({
      agent: config.agent,
      monitor,
      drafts,
      windows,
      dialog: electron.dialog,
      files: config.files ?? nodeFileReader,
      capture: { desktopCapturer: electron.desktopCapturer, screen: electron.screen, sleep: config.sleep ?? ((ms) => sleep(ms)) },
      loginItem,
      notificationSettings,
      onUnread: (count) => setUnread(count),
    }),
  });
  const locale = electron.app.getLocale();
  const tray = setupTray({
    electron,
    iconPath: config.iconPath,
    unreadIconPath: config.unreadIconPath,
    agent: config.agent,
    monitor,
    open: (view) => windows.open(view),
    quit: () => electron.app.quit(),
    clock: () => ({ locale, now: config.now?.() ?? new Date() }),
    popUpOnClick: config.platform !== 'linux',
  });
  setUnread = (count) => tray.setUnread(count);
  const notifier = new Notifier({
    agent: config.agent,
    Notification: electron.Notification,
    settings: () => notificationSettings.get(),
    openTickets: (ref) => windows.open('tickets', ref),
    onUnread: setUnread,
    log: config.log,
    ...(config.now ? { now: config.now } : {}),
  });
  monitor.start();
  notifier.start();
  await setupLoginItem(loginItem);
  return {
    windows,
    tray,
    monitor,
    loginItem,
    notifier,
    stop: () => {
      notifier.stop();
      monitor.stop();
      stopIpc();
      tray.destroy();
    },
  };
}

export const nodeFileReader: FileReader = {
  size: async (path) => {
    const s = await stat(path);
    if (!s.isFile()) throw new Error('not a file');
    return s.size;
  },
  read: (path) => readFile(path),
};

export const nodeLoginItemFs: LoginItemFs = {
  readFile: (path) => readFile(path, 'utf8'),
  writeFile: (path, data) => writeFile(path, data),
  mkdir: async (path) => void (await mkdir(path, { recursive: true })),
};
