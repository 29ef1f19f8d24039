// Request notes (shown to the requester or not) and worklogs in ServiceDesk Plus.
import type { DeskId, DeskNote, NewDeskNote, NewDeskWorklog } from '../types.js';
import { textToHtml } from '../text.js';
import type { SdpClient } from './client.js';
import type { SdpConfig } from './config.js';
import { keyMarker, sdpId, toDeskNote, worklogInput } from './mapping.js';
import { NoteOutSchema, SDP_KEYS, WorklogOutSchema } from './shapes.js';

const PAGE_SIZE = 100;
/** A request with more notes than this is read up to here. */
const MAX_PAGES = 20;

export class SdpNotes {
  private readonly keys: (typeof SDP_KEYS)[keyof typeof SDP_KEYS];

  constructor(
    private readonly client: SdpClient,
    private readonly config: SdpConfig,
  ) {
    this.keys = SDP_KEYS[config.flavour];
  }

  async add(note: NewDeskNote): Promise<DeskId> {
    const body = {
      description: textToHtml(note.text) + keyMarker(note.idempotencyKey),
      show_to_requester: note.visibility === 'public',
      mark_first_response: false,
      add_to_linked_requests: false,
    };
    const path = `/api/v3/requests/${sdpId(note.ticketId)}/notes`;
    return (await this.client.one('POST', path, this.keys.note, NoteOutSchema, { [this.keys.note]: body })).id;
  }

  async addWorklog(w: NewDeskWorklog): Promise<DeskId> {
    const path = `/api/v3/requests/${sdpId(w.ticketId)}/worklogs`;
    return (await this.client.one('POST', path, this.keys.worklog, WorklogOutSchema, worklogInput(this.config.flavour, w))).id;
  }

  /** Every note, oldest first. */
  async list(ticketId: DeskId): Promise<DeskNote[]> {
    const raw = await this.pages(`/api/v3/requests/${sdpId(ticketId)}/notes`, this.keys.notes, NoteOutSchema);
    return raw.map((n) => toDeskNote(this.config, ticketId, n)).sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  }

  async findNoteByKey(ticketId: DeskId, key: string): Promise<DeskId | null> {
    const raw = await this.pages(`/api/v3/requests/${sdpId(ticketId)}/notes`, this.keys.notes, NoteOutSchema);
    return raw.find((n) => n.description.includes(keyMarker(key)))?.id ?? null;
  }

  async findWorklogByKey(ticketId: DeskId, key: string): Promise<DeskId | null> {
    const raw = await this.pages(`/api/v3/requests/${sdpId(ticketId)}/worklogs`, this.keys.worklogs, WorklogOutSchema);
    return raw.find((w) => (w.description ?? '').includes(keyMarker(key)))?.id ?? null;
  }

  private async pages<T extends typeof NoteOutSchema | typeof WorklogOutSchema>(path: string, key: string, schema: T) {
    const out: ReturnType<T['parse']>[] = [];
    for (let page = 0, start = 1; page < MAX_PAGES; page++) {
      const res = await this.client.list(path, key, schema, { list_info: { row_count: PAGE_SIZE, start_index: start } });
      out.push(...(res.items as ReturnType<T['parse']>[]));
      if (!res.hasMore || res.items.length === 0) break;
      start += res.items.length;
    }
    return out;
  }
}
