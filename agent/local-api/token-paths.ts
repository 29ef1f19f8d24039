// Where the local API's caller tokens live. Shared by the agent (which writes them) and every client
// (the CLI, the tray), which read theirs to prove who they are. See README.md in this folder.
import { posix, win32 } from 'node:path';

/** Characters no account name may bring into a path (Windows' reserved ones included everywhere). */
const UNSAFE = /[/\\:*?"<>|]/;

function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/**
 * The directory name for an account, or undefined when the name cannot safely be one ('..', a
 * slash...). Windows account names are case-insensitive, so they are lower-cased there.
 */
export function accountDirName(account: string, platform: NodeJS.Platform = process.platform): string | undefined {
  if (account.length === 0 || account.length > 128 || UNSAFE.test(account) || hasControl(account)) return undefined;
  if (account.startsWith('.') || account.startsWith('-') || account.trim() !== account) return undefined;
  return platform === 'win32' ? account.toLowerCase() : account;
}

function pathFor(platform: NodeJS.Platform) {
  return platform === 'win32' ? win32 : posix;
}

/** Readable only by root (Administrators and SYSTEM on Windows): whoever reads it is support staff. */
export function adminTokenPath(stateDir: string, platform: NodeJS.Platform = process.platform): string {
  return pathFor(platform).join(stateDir, 'admin-token');
}

export function usersTokenRoot(stateDir: string, platform: NodeJS.Platform = process.platform): string {
  return pathFor(platform).join(stateDir, 'users');
}

/** The folder only `account` may open; undefined for a name that cannot be a folder. */
export function userTokenDir(stateDir: string, account: string, platform: NodeJS.Platform = process.platform): string | undefined {
  const name = accountDirName(account, platform);
  return name === undefined ? undefined : pathFor(platform).join(usersTokenRoot(stateDir, platform), name);
}

export function userTokenPath(stateDir: string, account: string, platform: NodeJS.Platform = process.platform): string | undefined {
  const dir = userTokenDir(stateDir, account, platform);
  return dir === undefined ? undefined : pathFor(platform).join(dir, 'token');
}
