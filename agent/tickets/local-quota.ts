// The agent's quick check of the server's per-person ticket quotas, so a person (or a script run
// as them) who raises too much hears it at once, before anything is queued, instead of having the
// server refuse the items later. Support staff (the admin token) are not limited here; the server
// still limits the whole device. Kept in memory: an agent restart forgets it, and the server's
// own count still holds.
import { OutpostError } from '../../shared/errors.js';
import { REQUESTER_QUOTAS, SlidingWindow } from '../../shared/quota-window.js';
import type { Caller } from '../local-api/callers.js';

export type LocalQuotaKind = 'tickets' | 'notes' | 'attachmentBytes';
export type LocalQuotaLimits = { windowMinutes: number } & Record<LocalQuotaKind, number>;

const MB = 1024 * 1024;

export class LocalTicketQuota {
  private readonly windows = new Map<string, SlidingWindow>();

  constructor(private readonly limits: LocalQuotaLimits = REQUESTER_QUOTAS) {}

  /** Checks every amount first and records them only if all fit: a refused ticket counts for nothing. */
  take(caller: Caller, wants: Partial<Record<LocalQuotaKind, number>>, now: number): void {
    if (caller.admin) return;
    const entries = Object.entries(wants) as [LocalQuotaKind, number][];
    for (const [kind, amount] of entries) {
      if (amount > 0 && this.window(caller.account, kind).total(now) + amount > this.limits[kind]) {
        throw new OutpostError('E_RATE_LIMITED', this.message(kind));
      }
    }
    for (const [kind, amount] of entries) if (amount > 0) this.window(caller.account, kind).add(now, amount);
  }

  private window(account: string, kind: LocalQuotaKind): SlidingWindow {
    const key = `${kind}\u0000${account.toLowerCase()}`;
    let w = this.windows.get(key);
    if (!w) {
      w = new SlidingWindow(this.limits.windowMinutes * 60_000);
      this.windows.set(key, w);
    }
    return w;
  }

  private message(kind: LocalQuotaKind): string {
    const { windowMinutes: m } = this.limits;
    const per = m === 60 ? 'an hour' : `${m} minutes`;
    if (kind === 'tickets')
      return `You can raise at most ${this.limits.tickets} tickets in ${per} from this computer. Nothing was sent; please wait a while, or add a note to a ticket you already raised.`;
    if (kind === 'notes')
      return `You can add at most ${this.limits.notes} notes in ${per} from this computer. Nothing was sent; please wait a while.`;
    return `You can attach at most ${Math.round(this.limits.attachmentBytes / MB)} MB of files in ${per} from this computer. Nothing was sent; please wait a while or attach fewer files.`;
  }
}
