// How much one device, and one person at it, may write into the server's tickets in a window: a
// buggy or hostile agent, or a user scripting the tray, must not fill the database or the desk.
// Counted in memory in one-minute buckets (shared/quota-window.ts; a few numbers per active device);
// a restart forgets the counts, which only ever lets a little more through, once.
import { z } from 'zod';
import { REQUESTER_QUOTAS, SlidingWindow } from '../../shared/quota-window.js';
import type { Refusal } from './ticket-rules.js';

const count = z.number().int().min(0).max(1_000_000);

/** Server settings: "quotas" in the config file. 0 turns a quota off. */
export const QuotaSettingsSchema = z
  .object({
    /** The sliding window every quota counts over, in minutes. */
    windowMinutes: z
      .number()
      .int()
      .min(1)
      .max(24 * 60),
    /** Tickets one account at one device may raise in the window. */
    ticketsPerRequester: count,
    /** Tickets one device may raise in the window, all its accounts together. */
    ticketsPerDevice: count,
    notesPerRequester: count,
    notesPerDevice: count,
    /** Attachment and screenshot bytes, in MB. */
    attachmentMBPerRequester: count,
    attachmentMBPerDevice: count,
  })
  .strict();
export type QuotaSettings = z.infer<typeof QuotaSettingsSchema>;

/** Far above what a person needs (a ticket every 3 minutes for an hour), far below a flood. */
export const DEFAULT_QUOTAS: QuotaSettings = {
  windowMinutes: REQUESTER_QUOTAS.windowMinutes,
  ticketsPerRequester: REQUESTER_QUOTAS.tickets,
  ticketsPerDevice: 60,
  notesPerRequester: REQUESTER_QUOTAS.notes,
  notesPerDevice: 200,
  attachmentMBPerRequester: REQUESTER_QUOTAS.attachmentBytes / (1024 * 1024),
  attachmentMBPerDevice: 500,
};

export type QuotaKind = 'tickets' | 'notes' | 'attachmentBytes';

/** What ticket ingest asks before it stores anything from an endpoint. */
export interface TicketQuota {
  /** Records `amount` for the device and the requester, or returns why not (recording nothing). */
  take(deviceId: string, account: string, kind: QuotaKind, amount: number, at: number): Refusal | null;
}

const MB = 1024 * 1024;
/** Counters kept at once; beyond it the least recently used goes (a device that stopped writing). */
const MAX_COUNTERS = 100_000;

export class TicketQuotas implements TicketQuota {
  private readonly counters = new Map<string, SlidingWindow>();

  constructor(private readonly settings: QuotaSettings = DEFAULT_QUOTAS) {}

  take(deviceId: string, account: string, kind: QuotaKind, amount: number, at: number): Refusal | null {
    const [perRequester, perDevice] = this.limits(kind);
    const requester = this.counter(`${kind}\u0000${deviceId}\u0000${account.toLowerCase()}`);
    const device = this.counter(`${kind}\u0000${deviceId}`);
    if (perRequester > 0 && requester.total(at) + amount > perRequester)
      return refusal(kind, 'this account at this device', perRequester, this.settings.windowMinutes);
    if (perDevice > 0 && device.total(at) + amount > perDevice) return refusal(kind, 'this device', perDevice, this.settings.windowMinutes);
    requester.add(at, amount);
    device.add(at, amount);
    return null;
  }

  private limits(kind: QuotaKind): [number, number] {
    const s = this.settings;
    if (kind === 'tickets') return [s.ticketsPerRequester, s.ticketsPerDevice];
    if (kind === 'notes') return [s.notesPerRequester, s.notesPerDevice];
    return [s.attachmentMBPerRequester * MB, s.attachmentMBPerDevice * MB];
  }

  private counter(key: string): SlidingWindow {
    let c = this.counters.get(key);
    if (c) {
      this.counters.delete(key); // re-inserted last: the Map's order is least recently used first
    } else {
      c = new SlidingWindow(this.settings.windowMinutes * 60_000);
      if (this.counters.size >= MAX_COUNTERS) this.counters.delete(this.counters.keys().next().value!);
    }
    this.counters.set(key, c);
    return c;
  }
}

function refusal(kind: QuotaKind, who: string, limit: number, minutes: number): Refusal {
  const what = kind === 'tickets' ? `${limit} tickets` : kind === 'notes' ? `${limit} notes` : `${limit / MB} MB of attachments`;
  return {
    code: 'E_RATE_LIMITED',
    message: `The server accepts at most ${what} from ${who} in ${minutes} minutes; nothing was stored. Try again later.`,
  };
}
