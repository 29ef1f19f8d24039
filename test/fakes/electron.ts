// The one fake of the Electron main-process API (the slice in tray-ui/main/electron-ports.ts) used
// by every tray test. It records what the tray did (windows made, menus built, handlers
// registered) and lets a test act like the person or the OS: click a menu item, open the menu,
// close a window, pick files, call IPC from a window or from a stranger.
import { randomBytes } from 'node:crypto';
import { crc32, deflateSync } from 'node:zlib';
import type {
  AppPort,
  BrowserWindowOptions,
  BrowserWindowPort,
  DesktopCapturerPort,
  DialogPort,
  ElectronPorts,
  HeadersDetails,
  IpcMainInvokeEventPort,
  IpcMainPort,
  MenuItemOptions,
  MenuPort,
  NativeImagePort,
  NotificationClass,
  NotificationOptions,
  NotificationPort,
  OpenDialogOptions,
  ScreenPort,
  SessionPort,
  TrayPort,
  WebContentsPort,
} from '../../tray-ui/main/electron-ports.js';

type Listener = (...args: never[]) => unknown;

class Emitter {
  private readonly listeners = new Map<string, Listener[]>();

  on(event: string, listener: Listener): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }

  once(event: string, listener: Listener): this {
    const wrapped = ((...args: never[]) => {
      this.listeners.set(
        event,
        (this.listeners.get(event) ?? []).filter((l) => l !== wrapped),
      );
      return listener(...args);
    }) as Listener;
    return this.on(event, wrapped);
  }

  emit(event: string, ...args: unknown[]): void {
    for (const l of this.listeners.get(event) ?? []) (l as (...a: unknown[]) => unknown)(...args);
  }

  listenerCount(event: string): number {
    return this.listeners.get(event)?.length ?? 0;
  }
}

export class FakeApp extends Emitter implements AppPort {
  isPackaged = false;
  /** Another instance holds the single-instance lock. */
  anotherInstanceRunning = false;
  quitCalls = 0;
  locale = 'en-GB';
  readonly loginItemCalls: { openAtLogin?: boolean }[] = [];
  private loginItem = { openAtLogin: false };

  constructor(private readonly paths: Record<string, string> = {}) {
    super();
  }

  requestSingleInstanceLock(): boolean {
    return !this.anotherInstanceRunning;
  }

  whenReady(): Promise<void> {
    return Promise.resolve();
  }

  quit(): void {
    this.quitCalls++;
  }

  getPath(name: 'userData' | 'home' | 'exe'): string {
    return this.paths[name] ?? `/fake/${name}`;
  }

  getLocale(): string {
    return this.locale;
  }

  setLoginItemSettings(settings: { openAtLogin?: boolean }): void {
    this.loginItemCalls.push(settings);
    this.loginItem = { openAtLogin: settings.openAtLogin ?? false };
  }

  getLoginItemSettings(): { openAtLogin: boolean } {
    return this.loginItem;
  }

  /** What the OS does when the app is launched again while running. */
  launchAgain(): void {
    this.emit('second-instance');
  }
}

export class FakeMenu extends Emitter implements MenuPort {
  constructor(readonly items: MenuItemOptions[]) {
    super();
  }

  item(id: string): MenuItemOptions {
    const found = this.items.find((i) => i.id === id);
    if (!found) throw new Error(`no menu item ${id}; have ${this.items.map((i) => i.id ?? i.type).join(', ')}`);
    return found;
  }

  labels(): string[] {
    return this.items.filter((i) => i.type !== 'separator').map((i) => i.label ?? '');
  }

  /** Clicks like a person: a disabled item does nothing. */
  click(id: string): void {
    const item = this.item(id);
    if (item.enabled !== false) item.click?.();
  }

  /** What the OS does when the person opens the menu. */
  open(): void {
    this.emit('menu-will-show');
  }
}

export class FakeTray extends Emitter implements TrayPort {
  toolTip = '';
  /** Every icon set after the first, in order. */
  images: string[] = [];
  menu: FakeMenu | null = null;
  destroyed = false;
  popUps = 0;

  constructor(readonly icon: string) {
    super();
  }

  setToolTip(toolTip: string): void {
    this.toolTip = toolTip;
  }

  setContextMenu(menu: MenuPort | null): void {
    this.menu = menu as FakeMenu | null;
  }

  setImage(image: string): void {
    this.images.push(image);
  }

  /** The icon shown now. */
  currentIcon(): string {
    return this.images.at(-1) ?? this.icon;
  }

  popUpContextMenu(): void {
    this.popUps++;
  }

  destroy(): void {
    this.destroyed = true;
  }
}

export class FakeNotification extends Emitter implements NotificationPort {
  shown = false;

  constructor(readonly options: NotificationOptions) {
    super();
  }

  show(): void {
    this.shown = true;
  }

  click(): void {
    this.emit('click');
  }
}

let nextWebContentsId = 1;

export class FakeWebContents extends Emitter implements WebContentsPort {
  readonly id = nextWebContentsId++;
  url = '';
  destroyed = false;
  private openHandler: ((details: { url: string }) => { action: 'deny' }) | undefined;

  getURL(): string {
    return this.url;
  }

  isDestroyed(): boolean {
    return this.destroyed;
  }

  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void {
    this.openHandler = handler;
  }

  /** The page tries to navigate (a link, a drop, a script); true when the tray stopped it. */
  tryNavigate(url: string): boolean {
    return this.prevented('will-navigate', url);
  }

  tryAttachWebview(): boolean {
    return this.prevented('will-attach-webview');
  }

  /** The page calls window.open; without a handler Electron would allow it. */
  tryOpenWindow(url: string): 'allow' | 'deny' {
    return this.openHandler?.({ url }).action ?? 'allow';
  }

  private prevented(event: string, ...args: unknown[]): boolean {
    let prevented = false;
    this.emit(event, { preventDefault: () => (prevented = true) }, ...args);
    return prevented;
  }
}

export class FakeBrowserWindow extends Emitter implements BrowserWindowPort {
  readonly webContents = new FakeWebContents();
  visible = false;
  minimized = false;
  destroyed = false;
  focusCount = 0;

  constructor(readonly options: BrowserWindowOptions) {
    super();
  }

  async loadURL(url: string): Promise<void> {
    this.webContents.url = url;
    queueMicrotask(() => this.emit('ready-to-show'));
  }

  show(): void {
    this.visible = true;
    this.minimized = false;
  }

  hide(): void {
    this.visible = false;
  }

  focus(): void {
    this.focusCount++;
  }

  restore(): void {
    this.minimized = false;
  }

  isMinimized(): boolean {
    return this.minimized;
  }

  isVisible(): boolean {
    return this.visible;
  }

  isDestroyed(): boolean {
    return this.destroyed;
  }

  /** The person closes the window. */
  close(): void {
    this.destroyed = true;
    this.webContents.destroyed = true;
    this.visible = false;
    this.emit('closed');
  }
}

type InvokeListener = (event: IpcMainInvokeEventPort, ...args: unknown[]) => Promise<unknown>;

export class FakeIpcMain implements IpcMainPort {
  readonly handlers = new Map<string, InvokeListener>();

  handle(channel: string, listener: InvokeListener): void {
    // As Electron does: one handler per channel.
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, listener);
  }

  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }

  /** ipcRenderer.invoke as seen by the main process. */
  async invoke(channel: string, event: IpcMainInvokeEventPort, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`No handler registered for '${channel}'`);
    return handler(event, ...args);
  }

  /** A call from a window's top frame, showing whatever page it shows. */
  invokeFrom(window: FakeBrowserWindow, channel: string, ...args: unknown[]): Promise<unknown> {
    return this.invoke(channel, senderEvent(window.webContents.id, window.webContents.url), ...args);
  }
}

export function senderEvent(id: number, url: string, parent: unknown = null): IpcMainInvokeEventPort {
  return { sender: { id }, senderFrame: { url, parent } };
}

export class FakeDialog implements DialogPort {
  /** The files the person will choose the next times the dialog opens; empty means Cancel. */
  readonly choices: string[][] = [];
  readonly shown: OpenDialogOptions[] = [];

  async showOpenDialog(options: OpenDialogOptions): Promise<{ canceled: boolean; filePaths: string[] }> {
    this.shown.push(options);
    const filePaths = this.choices.shift() ?? [];
    return { canceled: filePaths.length === 0, filePaths };
  }
}

/** A real PNG, so a preview built from it shows in a browser. */
export class FakeNativeImage implements NativeImagePort {
  private png: Buffer | undefined;

  constructor(
    readonly width: number,
    readonly height: number,
    /** Noise does not compress: a way to make a large PNG. */
    readonly pattern: 'desktop' | 'noise' = 'desktop',
  ) {}

  toPNG(): Buffer {
    this.png ??= encodePng(this.width, this.height, this.pattern);
    return this.png;
  }

  getSize(): { width: number; height: number } {
    return { width: this.width, height: this.height };
  }

  resize(options: { width?: number; height?: number }): FakeNativeImage {
    const width = options.width ?? Math.round((this.width * (options.height ?? this.height)) / this.height);
    const height = options.height ?? Math.round((this.height * width) / this.width);
    return new FakeNativeImage(width, height, this.pattern);
  }

  isEmpty(): boolean {
    return this.width === 0 || this.height === 0;
  }
}

export class FakeDesktopCapturer implements DesktopCapturerPort {
  image: FakeNativeImage = new FakeNativeImage(320, 200);
  failure: Error | undefined;
  readonly requests: { thumbnailSize: { width: number; height: number } }[] = [];

  async getSources(options: { types: 'screen'[]; thumbnailSize: { width: number; height: number } }) {
    this.requests.push({ thumbnailSize: options.thumbnailSize });
    if (this.failure) throw this.failure;
    return [{ id: 'screen:1:0', display_id: '1', thumbnail: this.image }];
  }
}

export class FakeScreen implements ScreenPort {
  display = { id: 1, size: { width: 1280, height: 800 }, scaleFactor: 1 };

  getPrimaryDisplay() {
    return this.display;
  }
}

type HeadersCallback = (response: { responseHeaders?: Record<string, string[]> }) => void;

export class FakeSession implements SessionPort {
  readonly protocolHandlers = new Map<string, (request: Request) => Response | Promise<Response>>();
  private beforeRequest: ((details: { url: string }, cb: (r: { cancel?: boolean }) => void) => void) | undefined;
  private headersReceived: ((details: HeadersDetails, cb: HeadersCallback) => void) | undefined;
  private permissionRequest: ((wc: unknown, permission: string, cb: (granted: boolean) => void) => void) | undefined;
  private permissionCheck: ((wc: unknown, permission: string) => boolean) | undefined;

  readonly protocol = {
    handle: (scheme: string, handler: (request: Request) => Response | Promise<Response>) =>
      void this.protocolHandlers.set(scheme, handler),
  };
  readonly webRequest = {
    onBeforeRequest: (listener: NonNullable<FakeSession['beforeRequest']>) => void (this.beforeRequest = listener),
    onHeadersReceived: (listener: NonNullable<FakeSession['headersReceived']>) => void (this.headersReceived = listener),
  };

  setPermissionRequestHandler(handler: NonNullable<FakeSession['permissionRequest']>): void {
    this.permissionRequest = handler;
  }

  setPermissionCheckHandler(handler: NonNullable<FakeSession['permissionCheck']>): void {
    this.permissionCheck = handler;
  }

  /** Loads a URL of a registered scheme, as a window in this session would. */
  async fetch(url: string): Promise<Response> {
    const handler = this.protocolHandlers.get(new URL(url).protocol.replace(/:$/, ''));
    if (!handler) throw new Error(`ERR_UNKNOWN_URL_SCHEME ${url}`);
    return handler(new Request(url));
  }

  /** Whether a request from a page in this session would go out (no listener: it would). */
  allowsRequest(url: string): boolean {
    let cancel = false;
    this.beforeRequest?.({ url }, (r) => (cancel = r.cancel === true));
    return !cancel;
  }

  /** The headers a page in this session would see on a response. */
  headersFor(url: string, responseHeaders: Record<string, string[]> = {}): Record<string, string[]> {
    let out = responseHeaders;
    this.headersReceived?.({ url, responseHeaders }, (r) => (out = r.responseHeaders ?? responseHeaders));
    return out;
  }

  /** A page asks for a permission (camera, notifications...); resolves with the answer. */
  requestPermission(permission: string): Promise<boolean> {
    if (!this.permissionRequest) return Promise.resolve(true);
    return new Promise((resolve) => this.permissionRequest!(null, permission, resolve));
  }

  checkPermission(permission: string): boolean {
    return this.permissionCheck?.(null, permission) ?? true;
  }
}

export class FakeElectron implements ElectronPorts {
  readonly app: FakeApp;
  readonly ipcMain = new FakeIpcMain();
  readonly dialog = new FakeDialog();
  readonly desktopCapturer = new FakeDesktopCapturer();
  readonly screen = new FakeScreen();
  readonly trays: FakeTray[] = [];
  readonly windows: FakeBrowserWindow[] = [];
  readonly sessions = new Map<string, FakeSession>();
  readonly privilegedSchemes: { scheme: string; privileges: Record<string, boolean> }[] = [];
  readonly Tray: new (image: string) => FakeTray;
  /** Every notification made, shown or not. */
  readonly notifications: FakeNotification[] = [];
  /** False stands for a desktop without a notification service. */
  notificationsSupported = true;
  readonly Notification: NotificationClass & (new (options: NotificationOptions) => FakeNotification);
  readonly BrowserWindow: new (options: BrowserWindowOptions) => FakeBrowserWindow;
  readonly Menu = { buildFromTemplate: (template: MenuItemOptions[]) => new FakeMenu(template.map((i) => ({ ...i }))) };
  readonly session = { fromPartition: (partition: string) => this.sessionFor(partition) };
  readonly protocol = {
    registerSchemesAsPrivileged: (schemes: FakeElectron['privilegedSchemes']) => void this.privilegedSchemes.push(...schemes),
  };

  constructor(paths: Record<string, string> = {}) {
    this.app = new FakeApp(paths);
    const trays = this.trays;
    const windows = this.windows;
    const app = this.app;
    const notifications = this.notifications;
    const supported = () => this.notificationsSupported;
    this.Notification = class extends FakeNotification {
      constructor(options: NotificationOptions) {
        super(options);
        notifications.push(this);
      }

      static isSupported(): boolean {
        return supported();
      }
    };
    this.Tray = class extends FakeTray {
      constructor(image: string) {
        super(image);
        trays.push(this);
      }
    };
    this.BrowserWindow = class extends FakeBrowserWindow {
      constructor(options: BrowserWindowOptions) {
        super(options);
        windows.push(this);
      }

      // As Electron does: closing the last window emits 'window-all-closed', and with no listener
      // for it the app quits.
      override close(): void {
        super.close();
        if (windows.some((w) => !w.destroyed)) return;
        if (app.listenerCount('window-all-closed') === 0) app.quit();
        else app.emit('window-all-closed');
      }
    };
  }

  /** The tray's menu as last set. */
  menu(): FakeMenu {
    const menu = this.trays.at(-1)?.menu;
    if (!menu) throw new Error('no tray menu has been set');
    return menu;
  }

  /** Windows not closed. */
  openWindows(): FakeBrowserWindow[] {
    return this.windows.filter((w) => !w.destroyed);
  }

  sessionFor(partition: string): FakeSession {
    let s = this.sessions.get(partition);
    if (!s) {
      s = new FakeSession();
      this.sessions.set(partition, s);
    }
    return s;
  }
}

function encodePng(width: number, height: number, pattern: 'desktop' | 'noise'): Buffer {
  const stride = width * 3 + 1;
  const raw = pattern === 'noise' ? randomBytes(stride * height) : Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    raw[y * stride] = 0; // filter: none
    if (pattern === 'noise') continue;
    for (let x = 0; x < width; x++) {
      // A desktop-ish picture: a blue gradient with a lighter "window" in the middle.
      const inWindow = x > width * 0.2 && x < width * 0.8 && y > height * 0.2 && y < height * 0.75;
      const o = y * stride + 1 + x * 3;
      raw[o] = inWindow ? 240 : 30 + Math.round((60 * y) / height);
      raw[o + 1] = inWindow ? 242 : 70 + Math.round((60 * y) / height);
      raw[o + 2] = inWindow ? 246 : 140 + Math.round((80 * x) / width);
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const idat = deflateSync(raw, { level: pattern === 'noise' ? 0 : 6 });
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', header),
    chunk('IDAT', idat),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([length, body, crc]);
}
