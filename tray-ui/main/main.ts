// Electron's entry point for the tray: the only file that imports 'electron'. Everything it calls
// is in the modules beside it, which take the Electron API as a parameter.
import * as electron from 'electron';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger } from '../../shared/logger.js';
import { agentAt, trayStateDir } from './agent.js';
import { startTray } from './app.js';
import { registerTrayScheme } from './content.js';
import type { ElectronPorts } from './electron-ports.js';

const ports: ElectronPorts = electron;
// Built as dist/tray/main.mjs beside preload.cjs, renderer/ and assets/.
const here = fileURLToPath(new URL('.', import.meta.url));

const log = createLogger();

registerTrayScheme(ports.protocol);
// Not awaited: Electron emits 'ready' only once an ES module entry point has finished, so a
// top-level await on startTray (which waits for 'ready') would hang the app.
startTray(ports, {
  agent: agentAt(trayStateDir(process.argv, process.env, process.platform)),
  log,
  platform: process.platform,
  rendererDir: join(here, 'renderer'),
  preloadPath: join(here, 'preload.cjs'),
  iconPath: join(here, 'assets', process.platform === 'darwin' ? 'trayTemplate.png' : 'tray.png'),
  unreadIconPath: join(here, 'assets', process.platform === 'darwin' ? 'trayTemplate-unread.png' : 'tray-unread.png'),
  // An AppImage runs from a temporary mount: start the AppImage itself at login.
  execPath: process.env.APPIMAGE ?? process.execPath,
  autostartDir: join(process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'autostart'),
}).catch((err: unknown) => {
  log.error({ err: (err as Error).message }, 'the tray could not start');
  ports.app.quit();
});
