// `outpost ticket create|list|show|reopen`: tickets through the local agent, for scripts and support staff.
// Files are checked against the limits before anything is sent, so an oversized one fails at once
// with its name and size instead of after uploading 48 MB to the agent.
import { printable, printableBlock } from '../printable.js';
import { readFile, stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { OutpostError } from '../../shared/errors.js';
import type { LocalTicket } from '../../shared/local-api.js';
import { OUTPOST_NUMBER, shownNumber } from '../../shared/ticket-label.js';
import { TICKET_LIMITS, type Attachment, type EndpointTicket } from '../../shared/tickets.js';
import { defaultStateDir } from '../../agent/paths.js';
import { callLocalAgent } from '../../agent/local-api/client.js';

/** Flags every command that talks to the local agent takes. */
export interface CommonFlags {
  /** The running agent's state directory (env OUTPOST_STATE_DIR); default per platform. */
  state?: string;
  json?: boolean;
}

export function agentStateDir(flags: CommonFlags): string {
  return flags.state ?? defaultStateDir();
}

export function printJson(value: unknown): void {
  console.log(JSON.stringify(value));
}

export interface TicketCreateFlags extends CommonFlags {
  subject: string;
  description: string;
  priority?: 'low' | 'normal' | 'high' | 'urgent';
  category?: string;
  attach?: string[];
}

const MB = 1024 * 1024;
const TYPES: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.pdf': 'application/pdf',
  '.txt': 'text/plain',
  '.log': 'text/plain',
  '.csv': 'text/csv',
  '.json': 'application/json',
  '.zip': 'application/zip',
};

export async function ticketCreateCommand(flags: TicketCreateFlags): Promise<void> {
  const attachments = await readAttachments(flags.attach ?? []);
  const result = await callLocalAgent(agentStateDir(flags), 'ticket.create', {
    subject: flags.subject,
    description: flags.description,
    ...(flags.priority ? { priority: flags.priority } : {}),
    ...(flags.category ? { category: flags.category } : {}),
    attachments,
  });
  if (flags.json) return printJson(result);
  console.log(
    result.connected
      ? `Ticket queued (ref ${result.ref}); the server gives it a number shortly: see "outpost ticket list".`
      : `Ticket queued (ref ${result.ref}); this machine is offline, it will be sent when it is back online.`,
  );
}

export async function ticketListCommand(flags: CommonFlags): Promise<void> {
  const { items } = await callLocalAgent(agentStateDir(flags), 'ticket.list', {});
  if (flags.json) return printJson({ items });
  if (items.length === 0) return console.log('No tickets.');
  const number = (t: EndpointTicket) => shownNumber(t) ?? 'queued';
  const width = Math.max(...items.map((t) => number(t).length));
  for (const t of items)
    console.log(`${number(t).padEnd(width)}  ${t.status.padEnd(8)}  ${oneLine(t.subject)}${t.unread ? '  [new]' : ''}`);
}

/**
 * The caller's ticket by reference or by the number it shows: 1042 or #1042 (the desk's number
 * once the desk has it), or OP-17 (Outpost's own, see shared/tickets.ts).
 */
async function findTicket(stateDir: string, ref: string): Promise<LocalTicket> {
  const shown = /^#?\d{1,20}$/.test(ref) ? `#${ref.replace('#', '')}` : OUTPOST_NUMBER.test(ref) ? ref.toUpperCase() : null;
  if (shown === null) return callLocalAgent(stateDir, 'ticket.get', { ref });
  const found = (await callLocalAgent(stateDir, 'ticket.list', {})).items.find((t) => shownNumber(t) === shown);
  if (!found) throw new OutpostError('E_NOT_FOUND', `You have no ticket ${shown} on this machine.`);
  return found;
}

/** REF is the reference ticket.create printed, or the number the ticket shows (1042, #1042, OP-17). */
export async function ticketShowCommand(ref: string, flags: CommonFlags): Promise<void> {
  const stateDir = agentStateDir(flags);
  const ticket = await findTicket(stateDir, ref);
  // Shown is read, as in My tickets: the tray's badge for it goes too.
  if (ticket.unread) await callLocalAgent(stateDir, 'ticket.markRead', { ref: ticket.ref });
  if (flags.json) return printJson(ticket);
  const shown = shownNumber(ticket);
  console.log(`${shown === null ? 'Queued ticket' : `Ticket ${printable(shown)}`}: ${oneLine(ticket.subject)}`);
  console.log(
    `Status: ${ticket.status}   Priority: ${ticket.priority}${ticket.category ? `   Category: ${printable(ticket.category)}` : ''}`,
  );
  console.log(`Ref: ${ticket.ref}   Raised: ${printable(ticket.createdAt)}   Updated: ${printable(ticket.updatedAt)}`);
  console.log(`\n${printableBlock(ticket.description)}\n`);
  const fresh = new Set(ticket.unreadNotes);
  for (const n of ticket.notes)
    console.log(
      `[${printable(n.at)}] ${printable(n.author)}${n.fromEndpoint ? '' : ' (IT)'}${fresh.has(n.id) ? ' [new]' : ''}: ${printableBlock(n.text)}`,
    );
}

export async function ticketReopenCommand(ref: string, flags: CommonFlags & { note: string }): Promise<void> {
  const stateDir = agentStateDir(flags);
  const ticket = await findTicket(stateDir, ref);
  const reopened: EndpointTicket = await callLocalAgent(stateDir, 'ticket.reopen', { ref: ticket.ref, text: flags.note });
  if (flags.json) return printJson(reopened);
  console.log(`Ticket ${printable(shownNumber(ticket) ?? ticket.ref)} reopened; IT sees your note with it.`);
}

/** Reads the files to attach, refusing any over the limits before reading a byte of them. */
export async function readAttachments(paths: readonly string[]): Promise<Attachment[]> {
  if (paths.length > TICKET_LIMITS.attachmentsPerTicket) {
    throw new OutpostError(
      'E_TOO_LARGE',
      `A ticket takes at most ${TICKET_LIMITS.attachmentsPerTicket} files; ${paths.length} were given.`,
    );
  }
  let total = 0;
  for (const path of paths) {
    const info = await stat(path).catch((err: NodeJS.ErrnoException) => {
      throw new OutpostError('E_BAD_REQUEST', `--attach ${path}: cannot read it (${err.code ?? err.message}).`);
    });
    if (!info.isFile()) throw new OutpostError('E_BAD_REQUEST', `--attach ${path}: not a file.`);
    if (info.size > TICKET_LIMITS.attachmentBytes) {
      throw new OutpostError(
        'E_TOO_LARGE',
        `--attach ${path}: the file is ${(info.size / MB).toFixed(1)} MB; a file may be at most ${TICKET_LIMITS.attachmentBytes / MB} MB.`,
      );
    }
    total += info.size;
  }
  if (total > TICKET_LIMITS.ticketAttachmentBytes) {
    throw new OutpostError(
      'E_TOO_LARGE',
      `The files add up to ${(total / MB).toFixed(1)} MB; a ticket's files may add up to at most ${TICKET_LIMITS.ticketAttachmentBytes / MB} MB.`,
    );
  }
  const out: Attachment[] = [];
  for (const path of paths) {
    const name = basename(path).slice(0, TICKET_LIMITS.fileNameChars);
    out.push({
      name,
      type: TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream',
      contentBase64: (await readFile(path)).toString('base64'),
    });
  }
  return out;
}

/** Server text on one line, with anything that could drive the terminal shown escaped. */
function oneLine(text: string): string {
  return printable(text.replace(/[ \t\n\r]+/g, ' '));
}
