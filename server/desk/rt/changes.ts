// Pure logic of polling RT: which tickets are new to us, where the next poll resumes, and what
// people (not this connector) did, read from a ticket's transactions.
import type { DeskEvent, NoteVisibility } from '../types.js';
import { statusFromRt, type RtConfig } from './config.js';
import { rtDate } from './mapping.js';
import type { RtTransaction } from './schemas.js';

/** RT's own account: scrips (auto-open on reply, notifications) run as it. */
export const RT_SYSTEM = 'RT_System';

export type NoteKind = { note: true; visibility: NoteVisibility } | { note: false };

/** Correspond reaches the requester; Comment stays with IT. */
export function noteKind(type: string): NoteKind {
  if (type === 'Correspond') return { note: true, visibility: 'public' };
  if (type === 'Comment') return { note: true, visibility: 'internal' };
  return { note: false };
}

/** Bookkeeping RT writes beside real changes (copies of mails sent); never news to anyone. */
const NOISE = new Set(['EmailRecord', 'CommentEmailRecord', 'Create']);

export interface Attributed {
  txn: RtTransaction;
  /** Who caused it: RT_System's transactions belong to the change that triggered them. */
  actor: string;
}

/** RT matches user names case-insensitively. */
export function isApiUser(config: RtConfig, name: string): boolean {
  return name.toLowerCase() === config.user.toLowerCase();
}

/** Transactions oldest first, each with the person whose change caused it. */
export function attribute(txns: RtTransaction[]): Attributed[] {
  const sorted = [...txns].sort((a, b) => Number(a.id) - Number(b.id));
  let lastActor: string | null = null;
  return sorted.map((txn) => {
    const creator = txn.Creator.id;
    if (creator !== RT_SYSTEM) lastActor = creator;
    return { txn, actor: creator === RT_SYSTEM ? (lastActor ?? RT_SYSTEM) : creator };
  });
}

export interface EventContext {
  config: RtConfig;
  ticketId: string;
  /** ISO: transactions before this only give context for attribution. */
  since: string;
  /**
   * The ticket was reported at exactly `since` in a settled second (its key is in the cursor's
   * `seen`): what happened in that second is known already, so only later events count.
   */
  seenAtSince: boolean;
  /** Note text by transaction id. */
  texts: ReadonlyMap<string, string>;
}

/** What someone other than the API user did since the cursor, oldest first. */
export function eventsFrom(txns: RtTransaction[], ctx: EventContext): DeskEvent[] {
  const since = Date.parse(ctx.since);
  const events: DeskEvent[] = [];
  for (const { txn, actor } of attribute(txns)) {
    const at = rtDate(txn.Created) ?? txn.Created;
    const t = Date.parse(at);
    if (isApiUser(ctx.config, actor) || NOISE.has(txn.Type) || t < since || (ctx.seenAtSince && t === since)) continue;
    events.push(eventOf(txn, actor, at, ctx));
  }
  return events;
}

function eventOf(txn: RtTransaction, by: string, at: string, ctx: EventContext): DeskEvent {
  const kind = noteKind(txn.Type);
  if (kind.note) {
    const note = {
      id: txn.id,
      ticketId: ctx.ticketId,
      visibility: kind.visibility,
      text: ctx.texts.get(txn.id) ?? '',
      author: by,
      at,
      own: false,
    };
    return { kind: 'note', id: txn.id, at, by, note };
  }
  if (txn.Type === 'Status' || (txn.Type === 'Set' && txn.Field === 'Status')) {
    const to = txn.NewValue ?? '';
    return { kind: 'status', id: txn.id, at, by, from: txn.OldValue || null, to, status: statusFromRt(ctx.config, to) };
  }
  return { kind: 'updated', id: txn.id, at, by };
}
