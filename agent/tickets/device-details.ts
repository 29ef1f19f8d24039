// The device details attached to every ticket, so nobody has to ask "which computer is it?", taken
// from the last inventory snapshot and the link, never typed by the person raising the ticket.
import type { Snapshot } from '../../shared/inventory.js';
import type { DeviceDetails, Requester } from '../../shared/tickets.js';
import type { Caller } from '../local-api/callers.js';

export interface DeviceContext {
  /** The last recorded snapshot; undefined before the first scan finished. */
  snapshot: Snapshot | undefined;
  /** This device's id at the server, once enrolled. */
  deviceId: string | undefined;
  hostname: string;
  platform: NodeJS.Platform;
}

const MAX_TEXT = 256;
const MAX_IPS = 16;

export function deviceDetails(ctx: DeviceContext, caller: Caller): DeviceDetails {
  const s = ctx.snapshot;
  const hw = s?.hardware;
  const os = [s?.os.distro, s?.os.release].filter(Boolean).join(' ') || s?.os.platform || ctx.platform;
  return {
    deviceId: ctx.deviceId ?? null,
    hostname: clip(s?.os.hostname ?? ctx.hostname),
    ...optional('serial', hw?.serial),
    ...optional('manufacturer', hw?.manufacturer),
    ...optional('model', hw?.model),
    os: clip(os),
    ip: addresses(s),
    loggedOnUser: clip(caller.account),
  };
}

/** The person raising a ticket or writing a note, with their domain when the OS reports one. */
export function requester(ctx: DeviceContext, caller: Caller): Requester {
  const user = ctx.snapshot?.users.find((u) => u.name === caller.account && u.domain);
  return { account: clip(caller.account), ...(user?.domain ? { domain: clip(user.domain) } : {}) };
}

/** Addresses people can reach the machine on: physical adapters first, no loopback or link-local. */
function addresses(s: Snapshot | undefined): string[] {
  if (!s) return [];
  const ordered = [...s.network].sort((a, b) => Number(a.virtual) - Number(b.virtual));
  const out: string[] = [];
  for (const nic of ordered) {
    for (const ip of [...nic.ipv4, ...nic.ipv6]) {
      if (/^127\.|^::1$|^fe80:/i.test(ip) || out.includes(ip)) continue;
      out.push(ip);
    }
  }
  return out.slice(0, MAX_IPS);
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value ? { [key]: clip(value) } : {}) as { [P in K]?: string };
}

function clip(text: string): string {
  return text.length > MAX_TEXT ? text.slice(0, MAX_TEXT) : text;
}
