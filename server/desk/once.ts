// Writes that a retry never doubles: look for Outpost's key in the desk before writing again.
// The sync engine calls these for every attempt after the first whose outcome it does not know
// (a timeout, a crash between the desk's answer and the job's completion). Looking first on
// every attempt is also correct; it costs one search.
import type { DeskConnector } from './connector.js';
import type { DeskId, NewDeskNote, NewDeskTicket, NewDeskWorklog } from './types.js';

export interface Written {
  id: DeskId;
  /** False when an earlier attempt had already written it. */
  created: boolean;
}

export async function createTicketOnce(desk: DeskConnector, ticket: NewDeskTicket): Promise<Written> {
  const existing = await desk.findTicketByKey(ticket.idempotencyKey);
  if (existing !== null) return { id: existing, created: false };
  return { id: await desk.createTicket(ticket), created: true };
}

export async function addNoteOnce(desk: DeskConnector, note: NewDeskNote): Promise<Written> {
  const existing = await desk.findNoteByKey(note.ticketId, note.idempotencyKey);
  if (existing !== null) return { id: existing, created: false };
  return { id: await desk.addNote(note), created: true };
}

export async function addWorklogOnce(desk: DeskConnector, worklog: NewDeskWorklog): Promise<Written> {
  const existing = await desk.findWorklogByKey(worklog.ticketId, worklog.idempotencyKey);
  if (existing !== null) return { id: existing, created: false };
  return { id: await desk.addWorklog(worklog), created: true };
}
