// One window per view, made on first use and brought to the front after that. Every window is
// locked down the same way: isolated, sandboxed, no Node, no navigation, no new windows, no
// <webview>, content only from the tray's own scheme.
import type { TrayView } from '../../shared/tray-api.js';
import type { BrowserWindowOptions, BrowserWindowPort, ElectronPorts, IpcMainInvokeEventPort } from './electron-ports.js';
import { TRAY_ORIGIN, TRAY_PARTITION } from './content.js';

interface ViewLayout {
  title: string;
  page: string;
  width: number;
  height: number;
  minWidth: number;
  minHeight: number;
}

export const VIEWS: Record<TrayView, ViewLayout> = {
  ticket: { title: 'Raise a ticket — Outpost', page: 'ticket.html', width: 560, height: 700, minWidth: 440, minHeight: 520 },
  tickets: { title: 'My tickets — Outpost', page: 'tickets.html', width: 880, height: 620, minWidth: 640, minHeight: 420 },
  software: { title: 'Get software — Outpost', page: 'software.html', width: 720, height: 620, minWidth: 480, minHeight: 420 },
  session: { title: 'Remote session — Outpost', page: 'session.html', width: 560, height: 720, minWidth: 440, minHeight: 520 },
  status: { title: 'Status — Outpost', page: 'status.html', width: 520, height: 560, minWidth: 420, minHeight: 420 },
};

/** The page's address; My tickets opens at a ticket when one is named (`#ticket=REF`). */
export function viewUrl(view: TrayView, ticketRef?: string): string {
  const url = `${TRAY_ORIGIN}/${VIEWS[view].page}`;
  return ticketRef === undefined ? url : `${url}#ticket=${encodeURIComponent(ticketRef)}`;
}

export function windowOptions(view: TrayView, preloadPath: string, devTools: boolean): BrowserWindowOptions {
  const { title, width, height, minWidth, minHeight } = VIEWS[view];
  return {
    title,
    width,
    height,
    minWidth,
    minHeight,
    show: false,
    resizable: true,
    maximizable: false,
    fullscreenable: false,
    autoHideMenuBar: true,
    backgroundColor: '#f6f7f9',
    webPreferences: {
      preload: preloadPath,
      partition: TRAY_PARTITION,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      sandbox: true,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      devTools,
      spellcheck: true,
    },
  };
}

export class TrayWindows {
  private readonly shown = new Map<TrayView, BrowserWindowPort>();

  constructor(
    private readonly opts: {
      BrowserWindow: ElectronPorts['BrowserWindow'];
      preloadPath: string;
      devTools: boolean;
      /** Told when a view's window closes, e.g. to drop its draft attachments. */
      onClosed?: (view: TrayView, webContentsId: number) => void;
    },
  ) {}

  /** Shows the view's window, making it the first time; My tickets at a given ticket if named. */
  open(view: TrayView, ticketRef?: string): BrowserWindowPort {
    const existing = this.shown.get(view);
    if (existing && !existing.isDestroyed()) {
      if (ticketRef !== undefined) void existing.loadURL(viewUrl(view, ticketRef)).catch(() => undefined);
      if (existing.isMinimized()) existing.restore();
      existing.show();
      existing.focus();
      return existing;
    }
    const win = new this.opts.BrowserWindow(windowOptions(view, this.opts.preloadPath, this.opts.devTools));
    const id = win.webContents.id;
    lockDown(win);
    this.shown.set(view, win);
    win.once('ready-to-show', () => win.show());
    win.on('closed', () => {
      if (this.shown.get(view) === win) this.shown.delete(view);
      this.opts.onClosed?.(view, id);
    });
    void win.loadURL(viewUrl(view, ticketRef)).catch(() => undefined);
    return win;
  }

  /** The window a view is shown in, if open. */
  get(view: TrayView): BrowserWindowPort | undefined {
    const win = this.shown.get(view);
    return win && !win.isDestroyed() ? win : undefined;
  }

  /** The open window whose page made this call, if any. */
  windowOf(senderId: number): BrowserWindowPort | undefined {
    for (const win of this.shown.values()) {
      if (!win.isDestroyed() && win.webContents.id === senderId) return win;
    }
    return undefined;
  }

  /**
   * True for a call from the top frame of one of our windows showing one of our pages. A page from
   * anywhere else (it should never load, but if it did) gets nothing.
   */
  isOwnSender(event: IpcMainInvokeEventPort): boolean {
    const frame = event.senderFrame;
    if (!frame || frame.parent !== null) return false;
    const win = this.windowOf(event.sender.id);
    if (!win) return false;
    return isTrayPage(frame.url);
  }
}

export function isTrayPage(url: string): boolean {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}` === TRAY_ORIGIN;
  } catch {
    return false;
  }
}

function lockDown(win: BrowserWindowPort): void {
  const wc = win.webContents;
  // The pages never navigate; a link or a drop that tries to is stopped, and nothing opens windows.
  wc.on('will-navigate', (event) => event.preventDefault());
  wc.on('will-attach-webview', (event) => event.preventDefault());
  wc.setWindowOpenHandler(() => ({ action: 'deny' }));
}
