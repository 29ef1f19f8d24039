// "Start Outpost when I log in": on by default, a setting in the status window. Windows and macOS
// keep it as the app's login item; Linux desktops read XDG autostart entries, which Electron does
// not write. The deb/rpm install one for everybody in /etc/xdg/autostart; the person's own entry
// of the same name in ~/.config/autostart wins over it, so turning the setting off writes one
// that says Hidden=true rather than deleting a file that would let the system-wide one run.
import { join } from 'node:path';
import { z } from 'zod';
import type { AppPort } from './electron-ports.js';

export interface LoginItemFs {
  readFile(path: string): Promise<string>;
  writeFile(path: string, data: string): Promise<void>;
  mkdir(path: string): Promise<void>;
}

export interface LoginItemOptions {
  app: AppPort;
  fs: LoginItemFs;
  platform: NodeJS.Platform;
  /** Where the choice is kept: <userData>/settings.json. */
  settingsPath: string;
  /** XDG autostart folder, e.g. ~/.config/autostart (Linux only). */
  autostartDir: string;
  /** The executable the login entry starts (the AppImage's path when run from one). */
  execPath: string;
}

const SettingsSchema = z.object({ openAtLogin: z.boolean() });
export const AUTOSTART_FILE = 'outpost-tray.desktop';

export class LoginItem {
  constructor(private readonly opts: LoginItemOptions) {}

  /** The person's choice, or on by default until they make one. */
  async isEnabled(): Promise<boolean> {
    try {
      return SettingsSchema.parse(JSON.parse(await this.opts.fs.readFile(this.opts.settingsPath))).openAtLogin;
    } catch {
      return true;
    }
  }

  async setEnabled(enabled: boolean): Promise<void> {
    await this.apply(enabled);
    await this.opts.fs.writeFile(this.opts.settingsPath, `${JSON.stringify({ openAtLogin: enabled }, null, 2)}\n`);
  }

  /** Tells the OS again, e.g. after an update moved the executable. */
  async apply(enabled?: boolean): Promise<void> {
    const on = enabled ?? (await this.isEnabled());
    if (this.opts.platform !== 'linux') {
      this.opts.app.setLoginItemSettings({ openAtLogin: on });
      return;
    }
    await this.opts.fs.mkdir(this.opts.autostartDir);
    await this.opts.fs.writeFile(join(this.opts.autostartDir, AUTOSTART_FILE), autostartEntry(this.opts.execPath, on));
  }
}

export function autostartEntry(execPath: string, enabled = true): string {
  const quoted = /[\s"\\]/.test(execPath) ? `"${execPath.replace(/(["\\$`])/g, '\\$1')}"` : execPath;
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Outpost',
    'Comment=Raise and follow IT tickets',
    `Exec=${quoted}`,
    'Icon=outpost',
    'Terminal=false',
    `X-GNOME-Autostart-enabled=${enabled}`,
    ...(enabled ? [] : ['Hidden=true']),
    '',
  ].join('\n');
}

/** Applies the stored choice at start; a failure here must not keep the tray from starting. */
export async function setupLoginItem(loginItem: LoginItem): Promise<void> {
  await loginItem.apply().catch(() => undefined);
}
