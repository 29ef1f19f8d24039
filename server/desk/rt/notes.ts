// Replies, comments and worklogs on RT tickets, and reading them back from the history.
import { TICKET_LIMITS } from '../../../shared/tickets.js';
import { htmlToText } from '../text.js';
import type { DeskAttachment, DeskId, DeskNote, NewDeskNote, NewDeskWorklog } from '../types.js';
import { attribute, noteKind } from './changes.js';
import type { RtClient } from './client.js';
import type { RtConfig } from './config.js';
import type { OwnWrites } from './own.js';
import { rtDate, rtId, rtSqlDate, rtSqlString, transactionIdFrom, worklogText } from './mapping.js';
import { RtAttachmentSchema, RtMessagesSchema, RtRefSchema, RtTransactionSchema, type RtTransaction } from './schemas.js';

const HISTORY_FIELDS = 'Type,Creator,Created,TimeTaken,Field,OldValue,NewValue,CustomFields';
const PER_PAGE = '100';
/** 100 pages of 100: a ticket with more history than this is read up to here. */
const MAX_PAGES = 100;

export class RtNotes {
  constructor(
    private readonly client: RtClient,
    private readonly config: RtConfig,
    private readonly own: OwnWrites,
  ) {}

  async add(note: NewDeskNote): Promise<DeskId> {
    return this.message(note.ticketId, note.visibility === 'public' ? 'correspond' : 'comment', {
      Content: note.text,
      key: note.idempotencyKey,
      attachments: note.attachments ?? [],
      timeTaken: 0,
    });
  }

  /** A comment whose TimeTaken adds the minutes to the ticket's TimeWorked. */
  async addWorklog(w: NewDeskWorklog): Promise<DeskId> {
    return this.message(w.ticketId, 'comment', { Content: worklogText(w), key: w.idempotencyKey, attachments: [], timeTaken: w.minutes });
  }

  async findByKey(ticketId: DeskId, key: string): Promise<DeskId | null> {
    const query = `ObjectType = 'RT::Ticket' AND ObjectId = ${rtId(ticketId)} AND 'CF.{${this.config.fields.noteKey}}' = ${rtSqlString(key)}`;
    const page = await this.client.page('/transactions', RtRefSchema, { query, per_page: '1', fields: 'Type' });
    return page.items[0]?.id ?? null;
  }

  /** The ticket's transactions, oldest first; from `sinceIso` on when given. */
  async history(ticketId: DeskId, sinceIso?: string): Promise<RtTransaction[]> {
    const filter = sinceIso ? [{ field: 'Created', operator: '>=', value: rtSqlDate(sinceIso) }] : undefined;
    const out: RtTransaction[] = [];
    for (let page = 1; page <= MAX_PAGES; page++) {
      const query = { fields: HISTORY_FIELDS, per_page: PER_PAGE, page: String(page), orderby: 'id', order: 'ASC' };
      const res = await this.client.page(`/ticket/${rtId(ticketId)}/history`, RtTransactionSchema, query, filter);
      out.push(...res.items);
      if (res.page >= res.pages || res.items.length === 0) break;
    }
    return out;
  }

  /** The text of each reply/comment from transaction `fromTxn` on: plain text, else HTML made plain. */
  async texts(ticketId: DeskId, fromTxn = '0'): Promise<Map<string, string>> {
    const filter = [
      { field: 'ContentType', value: 'text/plain' },
      { field: 'ContentType', value: 'text/html', entry_aggregator: 'OR' },
      { field: 'Filename', operator: 'IS', value: 'NULL' },
      { field: 'TransactionId', operator: '>=', value: fromTxn },
    ];
    const plain = new Map<string, string>();
    const html = new Map<string, string>();
    for (let page = 1; page <= MAX_PAGES; page++) {
      const query = {
        fields: 'TransactionId,ContentType,Filename,Content',
        per_page: PER_PAGE,
        page: String(page),
        orderby: 'id',
        order: 'ASC',
      };
      const res = await this.client.page(`/ticket/${rtId(ticketId)}/attachments`, RtAttachmentSchema, query, filter);
      for (const a of res.items) {
        const into = a.ContentType === 'text/html' ? html : plain;
        if (!into.has(a.TransactionId)) into.set(a.TransactionId, a.Content ?? '');
      }
      if (res.page >= res.pages || res.items.length === 0) break;
    }
    for (const [txn, body] of html) if (!plain.has(txn)) plain.set(txn, htmlToText(body));
    for (const [txn, body] of plain) plain.set(txn, capped(body.trim()));
    return plain;
  }

  async fetchNotes(ticketId: DeskId): Promise<DeskNote[]> {
    const txns = (await this.history(ticketId)).filter((t) => noteKind(t.Type).note);
    if (txns.length === 0) return [];
    const texts = await this.texts(ticketId, txns[0]!.id);
    return attribute(txns, { config: this.config, written: this.own.set }).map(({ txn, actor, own }) => {
      const kind = noteKind(txn.Type);
      return {
        id: txn.id,
        ticketId,
        visibility: kind.note ? kind.visibility : 'internal',
        text: texts.get(txn.id) ?? '',
        author: actor,
        at: rtDate(txn.Created) ?? txn.Created,
        own,
      };
    });
  }

  private async message(
    ticketId: DeskId,
    type: 'correspond' | 'comment',
    m: { Content: string; key: string; attachments: DeskAttachment[]; timeTaken: number },
  ): Promise<DeskId> {
    const path = `/ticket/${rtId(ticketId)}/${type}`;
    const { location } = await this.client.post(path, RtMessagesSchema, {
      Content: m.Content,
      ContentType: 'text/plain',
      TimeTaken: m.timeTaken,
      TxnCustomFields: { [this.config.fields.noteKey]: m.key },
      ...(m.attachments.length ? { Attachments: m.attachments.map(rtAttachment) } : {}),
    });
    const id = transactionIdFrom(location, `POST ${path}`);
    this.own.add(id);
    return id;
  }
}

export function rtAttachment(a: DeskAttachment): { FileName: string; FileType: string; FileContent: string } {
  return { FileName: a.name, FileType: a.type, FileContent: a.contentBase64 };
}

function capped(text: string): string {
  const max = TICKET_LIMITS.noteChars;
  return text.length <= max ? text : `${text.slice(0, max - 4)}\n[…]`;
}
