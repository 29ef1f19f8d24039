// TicketNotes (publish level: customer-facing or internal) and TimeEntries on a ticket. Neither
// has a field for Outpost's key: a note carries it in its title, a time entry in its internal notes.
import { DeskError } from '../errors.js';
import type { DeskId, DeskNote, NewDeskNote, NewDeskWorklog } from '../types.js';
import type { AutotaskClient } from './client.js';
import type { AutotaskConfig } from './config.js';
import type { Picklists } from './picklists.js';
import { ResourceSchema, TicketNoteSchema, TimeEntrySchema, type TicketNote } from './schemas.js';

export const keyMarker = (key: string): string => `[outpost:${key}]`;
/** Autotask's TicketNotes.title limit. */
const TITLE_MAX = 250;

export class AutotaskNotes {
  constructor(
    private readonly client: AutotaskClient,
    private readonly config: AutotaskConfig,
    private readonly picklists: Picklists,
    private readonly me: () => Promise<number>,
  ) {}

  async add(note: NewDeskNote): Promise<DeskId> {
    const ticketId = atId(note.ticketId);
    const label = note.visibility === 'public' ? this.config.publish.public : this.config.publish.internal;
    const body = {
      ticketID: ticketId,
      title: `Outpost ${keyMarker(note.idempotencyKey)}`.slice(0, TITLE_MAX),
      description: note.text.slice(0, 32_000),
      noteType: await this.picklists.value('TicketNotes', 'noteType', this.config.noteType),
      publish: await this.picklists.value('TicketNotes', 'publish', label),
    };
    // TicketNotes is a child of Tickets: created through the parent's URL.
    return String(await this.client.create(`/v1.0/Tickets/${ticketId}/Notes`, body));
  }

  async findNoteByKey(ticketId: DeskId, key: string): Promise<DeskId | null> {
    const found = await this.client.query(
      'TicketNotes',
      [
        { op: 'eq', field: 'ticketID', value: atId(ticketId) },
        { op: 'contains', field: 'title', value: keyMarker(key) },
      ],
      TicketNoteSchema,
      1,
    );
    return found[0] ? String(found[0].id) : null;
  }

  async list(ticketId: DeskId, since?: string): Promise<DeskNote[]> {
    const filter = [{ op: 'eq' as const, field: 'ticketID', value: atId(ticketId) }];
    const raw = await this.client.query(
      'TicketNotes',
      since ? [...filter, { op: 'gte', field: 'createDateTime', value: since }] : filter,
      TicketNoteSchema,
    );
    const me = await this.me();
    const publicValue = await this.picklists.value('TicketNotes', 'publish', this.config.publish.public);
    const out = raw.map((n) => this.toNote(ticketId, n, me, publicValue));
    return out.sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || Number(a.id) - Number(b.id));
  }

  private toNote(ticketId: DeskId, n: TicketNote, me: number, publicValue: number): DeskNote {
    const own = n.creatorResourceID === me && (n.title ?? '').includes('[outpost:');
    return {
      id: String(n.id),
      ticketId,
      visibility: n.publish === publicValue ? 'public' : 'internal',
      text: n.description ?? '',
      author: n.creatorResourceID
        ? `resource ${n.creatorResourceID}`
        : n.createdByContactID
          ? `contact ${n.createdByContactID}`
          : 'unknown',
      at: iso(n.createDateTime),
      own,
    };
  }

  async addWorklog(w: NewDeskWorklog): Promise<DeskId> {
    if (!Number.isInteger(w.minutes) || w.minutes <= 0 || w.minutes >= 24 * 60) {
      throw new DeskError('E_DESK_REJECTED', `Autotask time entries take more than 0 and less than 24 hours, not ${w.minutes} minutes`);
    }
    const start = Date.parse(w.start);
    const end = Date.parse(w.end);
    if (Number.isNaN(start) || Number.isNaN(end) || end < start)
      throw new DeskError('E_DESK_REJECTED', 'a worklog needs a start before its end');
    const body = {
      ticketID: atId(w.ticketId),
      resourceID: await this.resourceFor(w.technician),
      ...(this.config.roleId === undefined ? {} : { roleID: this.config.roleId }),
      startDateTime: new Date(start).toISOString(),
      endDateTime: new Date(end).toISOString(),
      hoursWorked: Math.round((w.minutes / 60) * 10_000) / 10_000,
      summaryNotes: w.description.slice(0, 32_000) || 'Outpost worklog',
      internalNotes: keyMarker(w.idempotencyKey),
    };
    return String(await this.client.create('/v1.0/TimeEntries', body));
  }

  async findWorklogByKey(ticketId: DeskId, key: string): Promise<DeskId | null> {
    const found = await this.client.query(
      'TimeEntries',
      [
        { op: 'eq', field: 'ticketID', value: atId(ticketId) },
        { op: 'contains', field: 'internalNotes', value: keyMarker(key) },
      ],
      TimeEntrySchema,
      1,
    );
    return found[0] ? String(found[0].id) : null;
  }

  /** The technician's resource by email or user name; the API user's own when none matches. */
  private async resourceFor(technician: string): Promise<number> {
    const found = await this.client.query(
      'Resources',
      [
        {
          op: 'or',
          items: [
            { op: 'eq', field: 'email', value: technician },
            { op: 'eq', field: 'userName', value: technician },
          ],
        },
      ],
      ResourceSchema,
      2,
    );
    return found.length === 1 ? found[0]!.id : this.me();
  }
}

/** Autotask ids are integers. */
export function atId(id: string, what = 'ticket'): number {
  if (!/^\d{1,10}$/.test(id)) throw new DeskError('E_DESK_REJECTED', `not an Autotask ${what} id: ${JSON.stringify(id).slice(0, 40)}`);
  return Number(id);
}

/** Autotask stamps in UTC, sometimes without the Z. */
export function iso(at: string | null | undefined): string {
  if (!at) return new Date(0).toISOString();
  const t = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(at) ? at : `${at}Z`);
  return new Date(Number.isNaN(t) ? 0 : t).toISOString();
}
