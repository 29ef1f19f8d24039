// What changed in Autotask since the cursor. Autotask's API gives no change history: tickets whose
// lastActivityDate is at or after the cursor are read; a person's notes are note events, and any
// other change by someone who is not the API user (lastActivityResourceID) one `updated` event.
import { advanceCursor, seenKey, type Stamped } from '../cursor.js';
import type { DeskChanges, DeskCursor, DeskEvent, DeskTicketChange } from '../types.js';
import type { AutotaskNotes } from './notes.js';
import { iso } from './notes.js';
import { TicketSchema, type Filter } from './schemas.js';
import { toDeskTicket, type TicketViewDeps } from './ticket-view.js';

export interface ChangesDeps extends TicketViewDeps {
  notes: AutotaskNotes;
  /** The API user's resource id: its changes are Outpost's own. */
  me: () => Promise<number>;
}

export async function listChangedSince(deps: ChangesDeps, cursor: DeskCursor): Promise<DeskChanges> {
  const { client, config, notes } = deps;
  await client.checkThreshold();
  const filter: Filter[] = [{ op: 'gte', field: 'lastActivityDate', value: cursor.since }];
  if (config.ticketKeyUdf) filter.push({ op: 'exist', field: config.ticketKeyUdf, udf: true });
  const tickets = await client.query('Tickets', filter, TicketSchema);
  const seen = new Set(cursor.seen);
  const me = await deps.me();
  const since = Date.parse(cursor.since);
  const changes: DeskTicketChange[] = [];
  const stamped: Stamped[] = [];
  for (const t of tickets) {
    const updatedAt = iso(t.lastActivityDate ?? t.createDate);
    stamped.push({ id: String(t.id), updatedAt });
    if (seen.has(seenKey(String(t.id), updatedAt))) continue;
    const events: DeskEvent[] = (await notes.list(String(t.id), cursor.since))
      .filter((n) => !n.own && Date.parse(n.at) >= since)
      .map((note) => ({ kind: 'note', id: note.id, at: note.at, by: note.author, note }));
    if (t.lastActivityResourceID !== me && Date.parse(updatedAt) >= since) {
      events.push({
        kind: 'updated',
        id: `${t.id}@${updatedAt}`,
        at: updatedAt,
        by: t.lastActivityResourceID ? `resource ${t.lastActivityResourceID}` : 'unknown',
      });
    }
    if (events.length)
      changes.push({ ticket: await toDeskTicket(deps, t, false), events: events.sort((a, b) => Date.parse(a.at) - Date.parse(b.at)) });
  }
  return { changes, cursor: advanceCursor(cursor, stamped, null) };
}
