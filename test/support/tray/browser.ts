// The tray's windows in real Chromium (playwright-core, Debian's /usr/bin/chromium), standing in
// for Electron's renderer. Each window the tray opens on the Electron fake gets a browser context
// of the same size that:
// - loads the built pages through the tray's own serveRendererFile (so with its CSP header) at
//   https://tray.outpost.test/ (a secure origin, as outpost:// is), and cannot reach anything else;
// - runs the built preload bundle, whose require('electron') gets a contextBridge that puts the
//   api on window and an ipcRenderer.invoke that reaches the test process by exposeBinding;
// - there, the call goes through the tray's real ipcMain handlers, with the page's own URL and
//   frame as the sender, exactly as Electron would hand them over.
import { readFile } from 'node:fs/promises';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { TrayView } from '../../../shared/tray-api.js';
import type { FakeBrowserWindow, FakeElectron } from '../../fakes/electron.js';
import { serveRendererFile, TRAY_ORIGIN } from '../../../tray-ui/main/content.js';
import type { TrayWindows } from '../../../tray-ui/main/windows.js';
import { deadline } from '../deadline.js';

const PAGE_ORIGIN = 'https://tray.outpost.test';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];

/** Debian's Chromium (or CHROMIUM_PATH), headless, with the flags this machine's closed network needs. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

export interface TrayPage {
  page: Page;
  window: FakeBrowserWindow;
  /** Console errors, uncaught exceptions and CSP violations seen so far. */
  problems: string[];
}

export class TrayBrowser {
  private browser: Browser | undefined;
  private readonly contexts: BrowserContext[] = [];

  constructor(private readonly opts: { electron: FakeElectron; windows: TrayWindows; rendererDir: string; preloadPath: string }) {}

  async start(): Promise<void> {
    this.browser = await launchChromium();
  }

  async stop(): Promise<void> {
    await this.browser?.close();
  }

  /** Opens a view as the tray menu would, and shows its window's page in Chromium. */
  async open(view: TrayView): Promise<TrayPage> {
    const window = this.opts.windows.open(view) as FakeBrowserWindow;
    const { width, height } = window.options;
    const context = await this.browser!.newContext({
      viewport: { width, height },
      deviceScaleFactor: 1,
      colorScheme: 'light',
      locale: 'en-GB',
    });
    this.contexts.push(context);
    // Playwright's 30 s for every wait and action, stretched for a loaded machine like any deadline.
    context.setDefaultTimeout(deadline(30_000));
    const problems: string[] = [];

    // Later routes win: everything is refused unless it is one of the tray's pages.
    await context.route('**/*', (route) => route.abort('blockedbyclient'));
    await context.route(`${PAGE_ORIGIN}/**`, async (route) => {
      const res = await serveRendererFile(this.opts.rendererDir, toTrayUrl(route.request().url()));
      const headers: Record<string, string> = {};
      res.headers.forEach((value, name) => (headers[name] = value));
      await route.fulfill({ status: res.status, headers, body: Buffer.from(await res.arrayBuffer()) });
    });
    await context.exposeBinding('__outpostIpc', async (source, channel: string, ...args: unknown[]) => {
      const frame = source.frame;
      const event = {
        sender: { id: window.webContents.id },
        senderFrame: { url: toTrayUrl(frame.url()), parent: frame.parentFrame() ? {} : null },
      };
      return this.opts.electron.ipcMain.invoke(channel, event, ...args);
    });
    await context.addInitScript({ content: preloadShim(await readFile(this.opts.preloadPath, 'utf8')) });

    const page = await context.newPage();
    page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    await page.exposeFunction('__cspViolation', (text: string) => problems.push(`CSP: ${text}`));
    await page.addInitScript({
      content:
        "document.addEventListener('securitypolicyviolation', (e) => window.__cspViolation(e.violatedDirective + ' ' + e.blockedURI));",
    });
    // The window's address as the tray set it, with its #ticket=REF when a notification opened it.
    const shown = new URL(window.webContents.getURL());
    await page.goto(`${PAGE_ORIGIN}/${shown.pathname.slice(1)}${shown.hash}`);
    return { page, window, problems };
  }
}

/** https://tray.outpost.test/x.html -> outpost://tray/x.html, the URL Electron would report. */
export function toTrayUrl(url: string): string {
  return url.startsWith(`${PAGE_ORIGIN}/`) ? `${TRAY_ORIGIN}/${url.slice(PAGE_ORIGIN.length + 1)}` : url;
}

/** The preload bundle, run as Electron runs a sandboxed preload: 'electron' is all it may require. */
function preloadShim(preload: string): string {
  return `(() => {
    const electron = {
      contextBridge: {
        exposeInMainWorld(key, api) {
          Object.defineProperty(window, key, { value: Object.freeze({ ...api }), writable: false, configurable: false });
        },
      },
      ipcRenderer: { invoke: (channel, ...args) => window.__outpostIpc(channel, ...args) },
    };
    const require = (name) => {
      if (name !== 'electron') throw new Error('a sandboxed preload cannot require ' + name);
      return electron;
    };
    const module = { exports: {} };
    const exports = module.exports;
    ${preload}
  })();`;
}
