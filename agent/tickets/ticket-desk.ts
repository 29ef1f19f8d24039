// Tickets raised at this endpoint. A ticket is answered at once with a local reference and travels
// through the outbox: its record here and the items carrying it (ticket.create, then one
// ticket.attachment per file) are written in one transaction, so a crash keeps both or neither.
// The server's `tickets` messages bring numbers, statuses and notes back; My tickets reads only
// this local copy, so it works offline.
import { randomBytes } from 'node:crypto';
import { OutpostError } from '../../shared/errors.js';
import type { Logger } from '../../shared/log.js';
import type { ServerMessageMap } from '../../shared/protocol.js';
import type { LocalParams, LocalResult, LocalTicket, TicketNotification } from '../../shared/local-api.js';
import type { Attachment, EndpointTicket } from '../../shared/tickets.js';
import type { FilledTemplate } from '../../shared/templates.js';
import { PENDING_APPROVAL, type SoftwareRequest } from '../../shared/self-service.js';
import type { Caller } from '../local-api/callers.js';
import type { Db } from '../outbox/database.js';
import type { Outbox } from '../outbox/outbox.js';
import { deviceDetails, requester, type DeviceContext } from './device-details.js';
import { LocalTicketQuota } from './local-quota.js';
import type { TemplateCache } from './template-cache.js';
import { markRead, markShown, pendingNotifications, recordServerChanges, unreadTicketCount, withUnread } from './ticket-events.js';
import {
  deleteLocalNote,
  forgetServerTicketsExcept,
  insertLocalNote,
  insertTicket,
  localNotes,
  parseNotes,
  setReopenSeq,
  ticketRow,
  ticketRows,
  ticketView,
  touchTicket,
  upsertServerTicket,
  type TicketRow,
} from './ticket-store.js';

/** Local notes that record a refusal (and refused notes) start with this; server updates keep them. */
export const REFUSED = 'refused:';

export interface TicketDeskOptions {
  outbox: Outbox;
  device: () => DeviceContext;
  connected: () => boolean;
  /** Items were queued: the link should send them. */
  notify: () => void;
  log: Logger;
  now?: () => Date;
  newId?: () => string;
  /** Per-person quotas checked before queueing; the server's defaults when absent. */
  quota?: LocalTicketQuota;
  /** The ticket templates IT offers; a ticket naming a template is refused without them. */
  templates?: TemplateCache;
}

/**
 * A reference no one can guess: it names a ticket or worklog in the local API. Never starting with
 * '-', so that `outpost worklog retry REF` and `outpost ticket show REF` never take it for an option.
 */
export function newRef(random: (n: number) => Buffer = randomBytes): string {
  for (;;) {
    const ref = random(12).toString('base64url');
    if (!ref.startsWith('-')) return ref;
  }
}

export class TicketDesk {
  private readonly now: () => Date;
  private readonly newId: () => string;
  private readonly quota: LocalTicketQuota;

  constructor(private readonly opts: TicketDeskOptions) {
    this.now = opts.now ?? (() => new Date());
    this.newId = opts.newId ?? newRef;
    this.quota = opts.quota ?? new LocalTicketQuota();
  }

  /**
   * `request`: a self-service request (software-requests.ts) and, when IT has one, its "New software"
   * template (already filled: its desk mapping applies).
   */
  create(
    caller: Caller,
    input: LocalParams<'ticket.create'>,
    request?: { softwareRequest: SoftwareRequest; template: FilledTemplate | undefined },
  ): LocalResult<'ticket.create'> {
    const ref = this.newId();
    const at = this.now().toISOString();
    const ctx = this.opts.device();
    const template = request ? request.template : input.template ? this.fillTemplate(input.template) : undefined;
    const files: { attachment: Attachment; screenshot: boolean }[] = input.attachments.map((attachment) => ({
      attachment,
      screenshot: false,
    }));
    if (input.screenshot)
      files.push({ attachment: { name: 'screenshot.png', type: 'image/png', contentBase64: input.screenshot }, screenshot: true });
    const fileBytes = files.reduce((sum, f) => sum + base64Bytes(f.attachment.contentBase64), 0);
    this.quota.take(caller, { tickets: 1, attachmentBytes: fileBytes }, Date.parse(at));
    const { outbox } = this.opts;
    outbox.transaction((db) => {
      insertTicket(
        db,
        {
          ref,
          account: caller.account,
          subject: input.subject,
          description: input.description,
          priority: input.priority,
          category: input.category ?? null,
          status: 'queued',
          created_at: at,
          updated_at: at,
        },
        request ? { ...request.softwareRequest, approval: PENDING_APPROVAL } : null,
      );
      outbox.enqueue('ticket.create', {
        ref,
        requester: requester(ctx, caller),
        subject: input.subject,
        description: input.description,
        priority: input.priority,
        ...(input.category ? { category: input.category } : {}),
        ...(template ? { template } : {}),
        ...(request ? { softwareRequest: request.softwareRequest } : {}),
        device: deviceDetails(ctx, caller),
        attachments: files.length,
        createdAt: at,
      });
      for (const file of files) outbox.enqueue('ticket.attachment', { ref, ...file });
    });
    this.opts.log.info({ ref, files: files.length }, 'ticket queued');
    this.opts.notify();
    return { ref, status: 'queued', connected: this.opts.connected() };
  }

  /** Checked here, where the person can still correct it: the server takes what an agent checked. */
  private fillTemplate(choice: NonNullable<LocalParams<'ticket.create'>['template']>) {
    if (!this.opts.templates) throw new OutpostError('E_BAD_REQUEST', 'This agent offers no ticket templates.', { field: 'template' });
    return this.opts.templates.fill(choice.id, choice.answers);
  }

  list(caller: Caller): LocalTicket[] {
    return this.opts.outbox.transaction((db) =>
      ticketRows(db, caller.admin ? null : caller.account).map((row) => withUnread(db, caller.account, row, this.view(db, row))),
    );
  }

  get(caller: Caller, ref: string): LocalTicket {
    return this.opts.outbox.transaction((db) => {
      const row = this.visible(db, caller, ref);
      return withUnread(db, caller.account, row, this.view(db, row));
    });
  }

  /** The caller has seen this ticket as it stands. */
  markRead(caller: Caller, ref: string): number {
    return this.opts.outbox.transaction((db) => {
      const row = this.visible(db, caller, ref);
      if (row.account === caller.account) markRead(db, caller.account, ref);
      return unreadTicketCount(db, caller.account);
    });
  }

  notifications(caller: Caller, limit: number): { items: TicketNotification[]; unreadTickets: number } {
    return this.opts.outbox.transaction((db) => ({
      items: pendingNotifications(db, caller.account, limit),
      unreadTickets: unreadTicketCount(db, caller.account),
    }));
  }

  notificationsShown(caller: Caller, ids: readonly number[]): number {
    return this.opts.outbox.transaction((db) => markShown(db, caller.account, ids));
  }

  addNote(caller: Caller, { ref, text }: LocalParams<'ticket.note'>): EndpointTicket {
    const at = this.now().toISOString();
    const { outbox } = this.opts;
    const view = outbox.transaction((db) => {
      notRefused(this.visible(db, caller, ref));
      this.quota.take(caller, { notes: 1 }, Date.parse(at));
      const noteId = this.newId();
      const seq = outbox.enqueue('ticket.note', { ref, noteId, requester: requester(this.opts.device(), caller), text, at });
      insertLocalNote(db, { note_id: noteId, ref, seq, author: caller.account, text, at });
      touchTicket(db, ref, at);
      return this.view(db, ticketRow(db, ref)!);
    });
    this.opts.notify();
    return view;
  }

  /** Closing a closed ticket changes nothing and sends nothing. */
  close(caller: Caller, ref: string): EndpointTicket {
    const at = this.now().toISOString();
    const { outbox } = this.opts;
    let queued = false;
    const view = outbox.transaction((db) => {
      const row = this.visible(db, caller, ref);
      if (row.close_seq !== null || row.status === 'closed') return this.view(db, row);
      const seq = outbox.enqueue('ticket.close', { ref, requester: requester(this.opts.device(), caller), at });
      touchTicket(db, ref, at, seq);
      queued = true;
      return this.view(db, ticketRow(db, ref)!);
    });
    if (queued) this.opts.notify();
    return view;
  }

  /** Only a resolved or closed ticket can be reopened; the note says why and goes to IT with it. */
  reopen(caller: Caller, { ref, text }: LocalParams<'ticket.reopen'>): EndpointTicket {
    const at = this.now().toISOString();
    const { outbox } = this.opts;
    const view = outbox.transaction((db) => {
      const row = this.visible(db, caller, ref);
      const current = this.view(db, row).status;
      if (current !== 'resolved' && current !== 'closed') {
        throw new OutpostError('E_BAD_REQUEST', `Ticket ${ref} is ${current}: only a resolved or closed ticket can be reopened.`);
      }
      if (row.number === null) throw new OutpostError('E_BAD_REQUEST', `Ticket ${ref} has not reached IT yet.`);
      const noteId = this.newId();
      const seq = outbox.enqueue('ticket.reopen', { ref, noteId, requester: requester(this.opts.device(), caller), text, at });
      insertLocalNote(db, { note_id: noteId, ref, seq, author: caller.account, text, at });
      setReopenSeq(db, ref, at, seq);
      return this.view(db, ticketRow(db, ref)!);
    });
    this.opts.notify();
    return view;
  }

  /** The server's view of this device's tickets: all of them (full) or those that changed. */
  applyServer(msg: ServerMessageMap['tickets']): void {
    const { outbox } = this.opts;
    const removed = outbox.transaction((db) => {
      for (const ticket of msg.tickets) {
        const row = ticketRow(db, ticket.ref);
        // What this endpoint sent and the server has since taken is now part of the server's view.
        for (const note of row ? localNotes(db, ticket.ref) : []) {
          if (note.note_id.startsWith(REFUSED)) continue;
          if (!outbox.isPending(note.seq) || ticket.notes.some((n) => n.id === note.note_id)) deleteLocalNote(db, note.note_id);
        }
        const pending = (seq: number | null | undefined) => (seq != null && outbox.isPending(seq) ? seq : null);
        upsertServerTicket(db, ticket, { closeSeq: pending(row?.close_seq), reopenSeq: pending(row?.reopen_seq) });
        recordServerChanges(db, row, ticket, row ? parseNotes(row.server_notes) : []);
      }
      return msg.full ? forgetServerTicketsExcept(db, new Set(msg.tickets.map((t) => t.ref))) : 0;
    });
    this.opts.log.info({ full: msg.full, tickets: msg.tickets.length, removed }, 'tickets updated from the server');
  }

  /**
   * The server refused one of this device's ticket items (a quota) and will ack it: nothing the
   * person wrote is dropped silently. A refused ticket stays in My tickets as "refused" with the
   * reason; a refused note stays on its ticket with the reason beside it; a refused file is named.
   */
  refusedByServer(seq: number, error: { code: string; message: string }): void {
    const item = this.opts.outbox.pendingItem(seq);
    if (!item || !(item.kind === 'ticket.create' || item.kind === 'ticket.note' || item.kind === 'ticket.attachment')) return;
    const at = this.now().toISOString();
    const why = (text: string) => ({ note_id: `${REFUSED}${seq}`, ref: item.body.ref, seq: -1, author: 'Outpost', text, at });
    this.opts.outbox.transaction((db) => {
      if (item.kind === 'ticket.create') {
        db.prepare("UPDATE tickets SET status = 'refused', updated_at = ? WHERE ref = ? AND number IS NULL").run(at, item.body.ref);
        insertLocalNote(db, why(`Not sent to IT: ${error.message}`));
      } else if (item.kind === 'ticket.note') {
        db.prepare('UPDATE ticket_local_notes SET note_id = ? || note_id, seq = -1 WHERE note_id = ?').run(REFUSED, item.body.noteId);
        insertLocalNote(db, why(`The note above was not sent to IT: ${error.message}`));
      } else {
        insertLocalNote(db, why(`The file ${JSON.stringify(item.body.attachment.name)} was not sent to IT: ${error.message}`));
      }
      touchTicket(db, item.body.ref, at);
    });
    this.opts.log.warn({ seq, kind: item.kind, code: error.code }, 'the server refused a ticket item; the person sees why in My tickets');
  }

  /** The caller's ticket, or an administrator's view of any; E_NOT_FOUND hides others' tickets. */
  private visible(db: Db, caller: Caller, ref: string): TicketRow {
    const row = ticketRow(db, ref);
    if (!row || row.gone === 1 || (!caller.admin && row.account !== caller.account)) {
      throw new OutpostError('E_NOT_FOUND', `You have no ticket ${ref} on this machine.`);
    }
    return row;
  }

  private view(db: Db, row: TicketRow): EndpointTicket {
    return ticketView(row, localNotes(db, row.ref));
  }
}

/** The size of a file from its base64 text, without decoding it. */
function base64Bytes(b64: string): number {
  const padding = b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0;
  return Math.floor((b64.length * 3) / 4) - padding;
}

/** A ticket the server would not take cannot get notes: they would name a ticket it never had. */
function notRefused(row: TicketRow): TicketRow {
  if (row.status === 'refused')
    throw new OutpostError('E_CONFLICT', 'IT did not accept this ticket, so it cannot take notes; raise it again later.');
  return row;
}
