// Pure logic of polling RT: which tickets are new to us, where the next poll resumes, and what
// people (not this connector) did, read from a ticket's transactions. Outpost's own writes are
// known by what it wrote, not by who wrote them: a reply, comment or worklog carries Outpost's
// note key, a status change's transaction id was recorded when it was made (./own.ts), and the
// fields and links of a ticket Outpost created share its creation second. So a person who works
// as the API user still has their changes reported.
import type { DeskEvent, NoteVisibility } from '../types.js';
import { statusFromRt, type RtConfig } from './config.js';
import { cfValue, rtDate } from './mapping.js';
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
  /** Outpost wrote it (or RT reacted to what Outpost wrote): an echo. */
  own: boolean;
}

/** RT matches user names case-insensitively. */
export function isApiUser(config: RtConfig, name: string): boolean {
  return name.toLowerCase() === config.user.toLowerCase();
}

/** What tells Outpost's own writes from a person's, whoever's account they used. */
export interface OwnMarks {
  config: RtConfig;
  /** Transaction ids Outpost's writes made (./own.ts). */
  written: ReadonlySet<string>;
  /** ISO: when the ticket was created, if Outpost created it; its fields and links share that second. */
  createdAt?: string | null;
}

function isStatusTxn(txn: RtTransaction): boolean {
  return txn.Type === 'Status' || (txn.Type === 'Set' && txn.Field === 'Status');
}

/** A transaction by the API user that Outpost wrote: by its note key, its recorded id, or Outpost's create. */
export function isOwnWrite(marks: OwnMarks, txn: RtTransaction): boolean {
  if (!isApiUser(marks.config, txn.Creator.id)) return false;
  if (marks.written.has(txn.id)) return true;
  if (noteKind(txn.Type).note) return cfValue(txn.CustomFields ?? [], marks.config.fields.noteKey) !== undefined;
  if (txn.Type === 'Create') return true;
  return !isStatusTxn(txn) && !!marks.createdAt && rtDate(txn.Created) === marks.createdAt;
}

/** Transactions oldest first, each with the person whose change caused it and whether it is an echo. */
export function attribute(txns: RtTransaction[], marks?: OwnMarks): Attributed[] {
  const sorted = [...txns].sort((a, b) => Number(a.id) - Number(b.id));
  let lastActor: string | null = null;
  let lastOwn = false;
  return sorted.map((txn) => {
    const creator = txn.Creator.id;
    if (creator === RT_SYSTEM) return { txn, actor: lastActor ?? RT_SYSTEM, own: lastOwn };
    lastActor = creator;
    lastOwn = marks ? isOwnWrite(marks, txn) : false;
    return { txn, actor: creator, own: lastOwn };
  });
}

export interface EventContext extends OwnMarks {
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

/** What anyone but Outpost itself did since the cursor, oldest first. */
export function eventsFrom(txns: RtTransaction[], ctx: EventContext): DeskEvent[] {
  const since = Date.parse(ctx.since);
  const events: DeskEvent[] = [];
  for (const { txn, actor, own } of attribute(txns, ctx)) {
    const at = rtDate(txn.Created) ?? txn.Created;
    const t = Date.parse(at);
    if (own || NOISE.has(txn.Type) || t < since || (ctx.seenAtSince && t === since)) continue;
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
  if (isStatusTxn(txn)) {
    const to = txn.NewValue ?? '';
    return { kind: 'status', id: txn.id, at, by, from: txn.OldValue || null, to, status: statusFromRt(ctx.config, to) };
  }
  return { kind: 'updated', id: txn.id, at, by };
}
