// The slice of Electron's main-process API the tray uses, as narrow interfaces. main.ts hands the
// real `electron` module in (the compiler checks it fits); tests hand in test/fakes/electron.ts.
// Everything else in tray-ui/main takes these, so it runs under plain Node.

export interface NativeImagePort {
  toPNG(): Buffer;
  getSize(): { width: number; height: number };
  resize(options: { width?: number; height?: number }): NativeImagePort;
  isEmpty(): boolean;
}

export interface AppPort {
  readonly isPackaged: boolean;
  requestSingleInstanceLock(): boolean;
  on(event: 'second-instance', listener: () => void): unknown;
  on(event: 'window-all-closed', listener: () => void): unknown;
  whenReady(): Promise<void>;
  quit(): void;
  getPath(name: 'userData' | 'home' | 'exe'): string;
  getLocale(): string;
  setLoginItemSettings(settings: { openAtLogin?: boolean; openAsHidden?: boolean; args?: string[] }): void;
  getLoginItemSettings(): { openAtLogin: boolean };
}

export interface MenuItemOptions {
  id?: string;
  label?: string;
  type?: 'normal' | 'separator';
  enabled?: boolean;
  accelerator?: string;
  click?: () => void;
}

export interface MenuPort {
  on(event: 'menu-will-show', listener: () => void): unknown;
}

export interface TrayPort {
  setToolTip(toolTip: string): void;
  /** Swaps the icon, e.g. for the one that says something is unread. */
  setImage(image: string): void;
  setContextMenu(menu: MenuPort | null): void;
  /** Windows and macOS; a left click opens the menu like a right click does. */
  popUpContextMenu(): void;
  on(event: 'click', listener: () => void): unknown;
  destroy(): void;
}

export interface WebContentsPort {
  readonly id: number;
  getURL(): string;
  isDestroyed(): boolean;
  on(event: 'will-navigate', listener: (event: { preventDefault(): void }, url: string) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: { preventDefault(): void }) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

export interface WebPreferencesOptions {
  preload: string;
  partition: string;
  contextIsolation: boolean;
  nodeIntegration: boolean;
  nodeIntegrationInSubFrames: boolean;
  sandbox: boolean;
  webSecurity: boolean;
  allowRunningInsecureContent: boolean;
  webviewTag: boolean;
  navigateOnDragDrop: boolean;
  safeDialogs: boolean;
  devTools: boolean;
  spellcheck: boolean;
}

export interface BrowserWindowOptions {
  title: string;
  width: number;
  height: number;
  minWidth: number;
  minHeight: number;
  show: boolean;
  resizable: boolean;
  maximizable: boolean;
  fullscreenable: boolean;
  autoHideMenuBar: boolean;
  backgroundColor: string;
  webPreferences: WebPreferencesOptions;
}

export interface BrowserWindowPort {
  readonly webContents: WebContentsPort;
  loadURL(url: string): Promise<void>;
  show(): void;
  hide(): void;
  focus(): void;
  restore(): void;
  isMinimized(): boolean;
  isVisible(): boolean;
  isDestroyed(): boolean;
  once(event: 'ready-to-show', listener: () => void): unknown;
  on(event: 'closed', listener: () => void): unknown;
}

export interface IpcMainInvokeEventPort {
  readonly sender: { readonly id: number };
  readonly senderFrame: { readonly url: string; readonly parent: unknown } | null;
}

export interface IpcMainPort {
  handle(channel: string, listener: (event: IpcMainInvokeEventPort, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

export interface OpenDialogOptions {
  title: string;
  buttonLabel: string;
  properties: ('openFile' | 'multiSelections')[];
}

export interface DialogPort {
  showOpenDialog(options: OpenDialogOptions): Promise<{ canceled: boolean; filePaths: string[] }>;
}

export interface DesktopCapturerPort {
  getSources(options: {
    types: 'screen'[];
    thumbnailSize: { width: number; height: number };
  }): Promise<{ id: string; display_id: string; thumbnail: NativeImagePort }[]>;
}

export interface ScreenPort {
  getPrimaryDisplay(): { id: number; size: { width: number; height: number }; scaleFactor: number };
}

export interface HeadersDetails {
  url: string;
  responseHeaders?: Record<string, string[]>;
}

export interface SessionPort {
  protocol: { handle(scheme: string, handler: (request: Request) => Response | Promise<Response>): void };
  webRequest: {
    onBeforeRequest(listener: (details: { url: string }, callback: (response: { cancel?: boolean }) => void) => void): void;
    onHeadersReceived(
      listener: (details: HeadersDetails, callback: (response: { responseHeaders?: Record<string, string[]> }) => void) => void,
    ): void;
  };
  setPermissionRequestHandler(handler: (webContents: unknown, permission: string, callback: (granted: boolean) => void) => void): void;
  setPermissionCheckHandler(handler: (webContents: unknown, permission: string) => boolean): void;
}

export interface NotificationOptions {
  title: string;
  body: string;
}

/** A native notification; the OS decides how and whether to show it (Focus, Do Not Disturb). */
export interface NotificationPort {
  show(): void;
  on(event: 'click', listener: () => void): unknown;
}

export interface NotificationClass {
  new (options: NotificationOptions): NotificationPort;
  isSupported(): boolean;
}

export interface ElectronPorts {
  Notification: NotificationClass;
  app: AppPort;
  /** Takes the icon's path; a name ending in Template is a macOS template image. */
  Tray: new (image: string) => TrayPort;
  Menu: { buildFromTemplate(template: MenuItemOptions[]): MenuPort };
  BrowserWindow: new (options: BrowserWindowOptions) => BrowserWindowPort;
  ipcMain: IpcMainPort;
  dialog: DialogPort;
  desktopCapturer: DesktopCapturerPort;
  screen: ScreenPort;
  session: { fromPartition(partition: string): SessionPort };
  protocol: { registerSchemesAsPrivileged(schemes: { scheme: string; privileges: Record<string, boolean> }[]): void };
}
