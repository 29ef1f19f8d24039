// Every GUI session on a Mac: with fast user switching several users are signed in at once and only
// one is on the console. The system configuration store lists them all under State:/Users/ConsoleUser
// (SessionInfo); `who` (systeminformation) adds terminal sessions such as ssh.
import type { Host } from '../host/host.js';
import type { SessionUser } from './users-windows.js';

/** Accounts that hold a GUI session without being a person: the login window, setup assistant. */
const NOT_PEOPLE = new Set(['loginwindow', 'root', '_mbsetupuser']);

/** `scutil <<< "show State:/Users/ConsoleUser"` -> one entry per GUI session. */
export function parseScutilConsoleUsers(text: string): SessionUser[] {
  const out: SessionUser[] = [];
  let block: { name?: string; onConsole: boolean } | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (/^\s+\d+ : <dictionary> \{\s*$/.test(line)) {
      block = { onConsole: false };
      continue;
    }
    if (block === undefined) continue;
    const name = /^\s+kCGSSessionUserNameKey : (.+?)\s*$/.exec(line);
    if (name) block.name = name[1];
    if (/^\s+kCGSSessionOnConsoleKey : TRUE\s*$/.test(line)) block.onConsole = true;
    if (/^\s+\}\s*$/.test(line)) {
      if (block.name && !NOT_PEOPLE.has(block.name)) out.push({ user: block.name, tty: block.onConsole ? 'console' : 'gui' });
      block = undefined;
    }
  }
  return out;
}

/** GUI sessions from scutil plus the non-console sessions `who` lists. */
export async function macosUsers(host: Host, who: () => Promise<SessionUser[]>): Promise<SessionUser[]> {
  const [gui, tty] = await Promise.all([
    host.exec('/bin/sh', ['-c', 'echo "show State:/Users/ConsoleUser" | /usr/sbin/scutil'], { timeoutMs: 10_000 }),
    who(),
  ]);
  if (gui.code !== 0) throw new Error(`scutil failed: exit code ${gui.code}`);
  return [...parseScutilConsoleUsers(gui.stdout), ...tty.filter((s) => s.tty !== 'console')];
}
