// Every signed-in Windows user: `quser` lists all interactive sessions (console, RDP, and the
// disconnected ones of fast user switching), and the owners of explorer.exe add the domain quser
// leaves out. Both come from one PowerShell run of windows/users.ps1.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Host } from '../host/host.js';
import { runPowerShell } from './software/powershell.js';

export interface QuserSession {
  user: string;
  /** console, rdp-tcp#N; absent for a disconnected session, which has no station. */
  sessionName?: string;
  id: number;
  /** As quser prints it, localised: Active/Disc, Aktiv/Getr., ... */
  state: string;
}

/** systeminformation's users() shape: "DOMAIN\\user" and a terminal. */
export interface SessionUser {
  user: string;
  tty: string;
}

// user (1st column, at most 20 characters, no double space), optional session name, numeric id,
// state, then idle and logon time (ignored). The header row never has a number where the id goes.
const ROW = /^[ >]?(\S(?:.*?\S)?)\s{2,}(?:(\S+)\s+)?(\d{1,10})\s+(\S+)(?:\s|$)/;

/** quser / query user output, any display language. Lines that are not sessions are skipped. */
export function parseQuser(text: string): QuserSession[] {
  const out: QuserSession[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = ROW.exec(line);
    if (!m) continue;
    out.push({ user: m[1]!, ...(m[2] ? { sessionName: m[2] } : {}), id: Number(m[3]), state: m[4]! });
  }
  return out;
}

interface Owner {
  id: number;
  domain: string;
  user: string;
}

function parseOwners(text: string): Owner[] {
  const out: Owner[] = [];
  for (const line of text.split(/\r?\n/)) {
    const [id, domain, user] = line.split('\t');
    if (id === undefined || !/^\d+$/.test(id) || !user?.trim()) continue;
    out.push({ id: Number(id), domain: (domain ?? '').trim(), user: user.trim() });
  }
  return out;
}

/** The script's whole output -> one entry per session, "DOMAIN\\user" where the domain is known. */
export function parseWindowsUsers(output: string): SessionUser[] {
  const quserAt = output.indexOf('#quser');
  const ownersAt = output.indexOf('#owners');
  const quserText = quserAt === -1 ? '' : output.slice(quserAt + 6, ownersAt === -1 ? undefined : ownersAt);
  const owners = ownersAt === -1 ? [] : parseOwners(output.slice(ownersAt + 7));
  const sessions = parseQuser(quserText);
  const qualified = (domain: string, user: string) => (domain ? `${domain}\\${user}` : user);
  if (sessions.length === 0) {
    // No quser (Home editions): the shells' owners are the signed-in users.
    return owners.map((o) => ({ user: qualified(o.domain, o.user), tty: `session ${o.id}` }));
  }
  return sessions.map((s) => {
    // quser cuts names at 20 characters; the owner's name is whole.
    const owner = owners.find((o) => o.id === s.id && o.user.toLowerCase().startsWith(s.user.toLowerCase()));
    return {
      user: owner ? qualified(owner.domain, owner.user) : s.user,
      tty: s.sessionName ?? 'disconnected',
    };
  });
}

let script: string | undefined;
function usersScript(): string {
  script ??= readFileSync(fileURLToPath(new URL('./windows/users.ps1', import.meta.url)), 'utf8');
  return script;
}

export async function windowsUsers(host: Host): Promise<SessionUser[]> {
  const result = await runPowerShell(host, usersScript(), { timeoutMs: 20_000 });
  if (!result.stdout.includes('#owners'))
    throw new Error(`users script failed: ${result.stderr.trim().slice(0, 200) || `exit code ${result.code}`}`);
  return parseWindowsUsers(result.stdout);
}
