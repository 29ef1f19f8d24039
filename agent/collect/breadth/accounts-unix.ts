// Local accounts and groups from /etc/passwd and /etc/group (passwd(5), group(5)): name, uid, the
// GECOS full name; a group's members are its member list plus the accounts whose primary group it
// is. Only people's accounts are reported (uid 0, and uids from UID_MIN up to the system range's
// end, 60000 by login.defs(5) default), never service accounts; an account whose shell is nologin or
// false is reported disabled. Nothing from /etc/shadow is read: no hash ever enters the agent.
import type { LocalAccount, LocalGroup } from '../../../shared/inventory.js';
import { SNAPSHOT_LIMITS } from '../../../shared/inventory-keys.js';
import { ADMIN_GROUPS, opt } from './types.js';

interface PasswdEntry {
  name: string;
  uid: number;
  gid: string;
  gecos: string;
  shell: string;
}

export function parsePasswd(text: string): PasswdEntry[] {
  const out: PasswdEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#') || line.startsWith('+') || line.startsWith('-')) continue;
    const f = line.split(':');
    if (f.length < 7 || !/^\d+$/.test(f[2]!)) continue;
    out.push({ name: f[0]!, uid: Number(f[2]), gid: f[3]!, gecos: f[4]!, shell: f[6]!.trim() });
  }
  return out;
}

export function parseGroupFile(text: string): { name: string; gid: string; members: string[] }[] {
  const out: { name: string; gid: string; members: string[] }[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const f = line.split(':');
    if (f.length < 4 || !f[0]) continue;
    out.push({ name: f[0], gid: f[2]!, members: f[3]!.trim() ? f[3]!.trim().split(',').filter(Boolean) : [] });
  }
  return out;
}

export function unixAccounts(passwd: string, group: string, uidMin = 1000): { accounts: LocalAccount[]; groups: LocalGroup[] } {
  const people = parsePasswd(passwd).filter((p) => p.uid === 0 || (p.uid >= uidMin && p.uid < 60000));
  const names = new Set(people.map((p) => p.name));
  const groups: LocalGroup[] = [];
  const groupsOf = new Map<string, string[]>(people.map((p) => [p.name, []]));
  for (const g of parseGroupFile(group)) {
    const members = new Set(g.members);
    for (const p of people) if (p.gid === g.gid) members.add(p.name);
    const admin = ADMIN_GROUPS.has(g.name);
    for (const m of members) groupsOf.get(m)?.push(g.name);
    // A group is worth listing when one of the reported people is in it, or when it grants admin.
    if (!admin && ![...members].some((m) => names.has(m))) continue;
    const sorted = [...members].sort().slice(0, SNAPSHOT_LIMITS.groupMembers);
    groups.push({ name: g.name, gid: g.gid, admin, members: sorted });
  }
  const accounts = people.map((p): LocalAccount => {
    const memberOf = (groupsOf.get(p.name) ?? []).sort();
    const a: LocalAccount = {
      name: p.name,
      uid: String(p.uid),
      admin: p.uid === 0 || memberOf.some((g) => ADMIN_GROUPS.has(g)),
      groups: memberOf.slice(0, SNAPSHOT_LIMITS.accountGroups),
    };
    const fullName = opt(p.gecos.split(',')[0]);
    if (fullName) a.fullName = fullName;
    if (/\/(nologin|false)$/.test(p.shell)) a.disabled = true;
    return a;
  });
  return { accounts: accounts.slice(0, SNAPSHOT_LIMITS.accounts), groups: groups.slice(0, SNAPSHOT_LIMITS.groups) };
}

/** UID_MIN from /etc/login.defs, or 1000. */
export function uidMinOf(loginDefs: string | undefined): number {
  const m = /^\s*UID_MIN\s+(\d+)/m.exec(loginDefs ?? '');
  return m ? Number(m[1]) : 1000;
}
