// The tray icon and its menu: the person's way in. The last lines say whether the agent is
// connected, so "is my ticket going anywhere?" is answered without opening a window.
import type { TrayView } from '../../shared/tray-api.js';
import type { AgentCall } from './agent.js';
import type { ElectronPorts, MenuItemOptions, MenuPort, TrayPort } from './electron-ports.js';
import { statusLine, type StatusLineOptions, type StatusMonitor } from './status.js';

export interface TrayOptions {
  electron: Pick<ElectronPorts, 'Tray' | 'Menu'>;
  iconPath: string;
  /** The icon with a dot: something on the person's tickets is unread. */
  unreadIconPath: string;
  agent: AgentCall;
  monitor: StatusMonitor;
  open: (view: TrayView) => void;
  quit: () => void;
  /** Locale and clock for the status line's time. */
  clock: () => Omit<StatusLineOptions, 'now'> & { now: Date };
  /** Windows and macOS: a left click shows the menu too. */
  popUpOnClick: boolean;
}

export interface TrayHandle {
  rebuild(): void;
  /** How many of the person's tickets have something unread: the icon, tooltip and menu say so. */
  setUnread(count: number): void;
  /** The menu as it stands. */
  menu(): MenuItemOptions[];
  destroy(): void;
}

export const MENU_IDS = {
  ticket: 'raise-ticket',
  tickets: 'my-tickets',
  software: 'get-software',
  session: 'remote-session',
  scan: 'scan-now',
  status: 'status-line',
  openStatus: 'open-status',
  quit: 'quit',
} as const;

export function setupTray(opts: TrayOptions): TrayHandle {
  const tray: TrayPort = new opts.electron.Tray(opts.iconPath);
  let scanning = false;
  /** A scan's failure, shown in place of the status line until the next status arrives. */
  let note: string | undefined;
  let template: MenuItemOptions[] = [];
  let unread = 0;

  const scanNow = async () => {
    scanning = true;
    note = undefined;
    rebuild();
    try {
      await opts.agent('scan.now', {});
    } catch (err) {
      note = `Scan failed: ${(err as Error).message}`;
    } finally {
      scanning = false;
    }
    rebuild();
    if (note === undefined) await opts.monitor.refresh();
  };

  let shown: string | undefined;
  const rebuild = () => {
    const line = scanning ? 'Scanning…' : (note ?? statusLine(opts.monitor.current(), opts.clock()));
    const news = unread === 0 ? '' : unread === 1 ? '1 ticket with news' : `${unread} tickets with news`;
    // Replacing the menu while it is open closes it on some desktops: only when something changed.
    if (`${line}|${news}` === shown) return;
    shown = `${line}|${news}`;
    template = [
      { id: MENU_IDS.ticket, label: 'Raise a ticket…', click: () => opts.open('ticket') },
      { id: MENU_IDS.tickets, label: news ? `My tickets (${news})` : 'My tickets', click: () => opts.open('tickets') },
      { id: MENU_IDS.software, label: 'Get software…', click: () => opts.open('software') },
      { id: MENU_IDS.session, label: 'Record remote session…', click: () => opts.open('session') },
      { type: 'separator' },
      { id: MENU_IDS.scan, label: 'Scan now', enabled: !scanning, click: () => void scanNow() },
      { type: 'separator' },
      { id: MENU_IDS.status, label: line, enabled: false },
      { id: MENU_IDS.openStatus, label: 'Status and settings…', click: () => opts.open('status') },
      { type: 'separator' },
      { id: MENU_IDS.quit, label: 'Quit Outpost', click: opts.quit },
    ];
    const menu: MenuPort = opts.electron.Menu.buildFromTemplate(template);
    // Opening the menu is when the person looks: ask the agent then rather than every few seconds.
    menu.on('menu-will-show', () => void opts.monitor.refresh());
    tray.setContextMenu(menu);
    tray.setToolTip(news ? `Outpost — ${news} · ${line}` : `Outpost — ${line}`);
  };

  const setUnread = (count: number) => {
    if (count === unread) return;
    const iconChanges = (count === 0) !== (unread === 0);
    unread = count;
    if (iconChanges) tray.setImage(count > 0 ? opts.unreadIconPath : opts.iconPath);
    rebuild();
  };

  opts.monitor.onChange(() => {
    note = undefined;
    rebuild();
  });
  if (opts.popUpOnClick) tray.on('click', () => tray.popUpContextMenu());
  rebuild();
  return { rebuild, setUnread, menu: () => template, destroy: () => tray.destroy() };
}
