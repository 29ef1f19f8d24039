// Picking files for a ticket: the main process shows the open dialog, checks each file's size
// before reading it, and keeps what fits. The 10 MB per file and 25 MB per ticket limits are the
// agent's too; checking here means a person hears about a 2 GB video at once, not after sending.
import { basename, extname } from 'node:path';
import { TICKET_LIMITS } from '../../shared/tickets.js';
import type { PickFilesResult } from '../../shared/tray-api.js';
import { megabytes, type Drafts } from './drafts.js';
import type { DialogPort } from './electron-ports.js';

export interface FileReader {
  size(path: string): Promise<number>;
  read(path: string): Promise<Buffer>;
}

export async function pickFiles(dialog: DialogPort, reader: FileReader, drafts: Drafts, owner: number): Promise<PickFilesResult> {
  const choice = await dialog.showOpenDialog({
    title: 'Attach files to the ticket',
    buttonLabel: 'Attach',
    properties: ['openFile', 'multiSelections'],
  });
  const rejected: PickFilesResult['rejected'] = [];
  if (!choice.canceled) {
    for (const path of choice.filePaths) {
      const refusal = await attach(reader, drafts, owner, path);
      if (refusal) rejected.push({ name: basename(path), message: refusal });
    }
  }
  return { files: drafts.files(owner), rejected };
}

/** Adds one file to the draft; returns why not when it does not fit. */
async function attach(reader: FileReader, drafts: Drafts, owner: number, path: string): Promise<string | undefined> {
  const name = basename(path).slice(0, TICKET_LIMITS.fileNameChars);
  if (drafts.fileCount(owner) >= TICKET_LIMITS.attachmentsPerTicket) {
    return `A ticket can carry at most ${TICKET_LIMITS.attachmentsPerTicket} files.`;
  }
  let size: number;
  try {
    size = await reader.size(path);
  } catch {
    return 'The file could not be read.';
  }
  if (size > TICKET_LIMITS.attachmentBytes) {
    return `${name} is ${megabytes(size)}; a file can be at most ${megabytes(TICKET_LIMITS.attachmentBytes)}.`;
  }
  const total = drafts.attachedBytes(owner) + size;
  if (total > TICKET_LIMITS.ticketAttachmentBytes) {
    return `${name} would bring the attachments to ${megabytes(total)}; a ticket can carry at most ${megabytes(TICKET_LIMITS.ticketAttachmentBytes)}.`;
  }
  let content: Buffer;
  try {
    content = await reader.read(path);
  } catch {
    return 'The file could not be read.';
  }
  // It may have grown between the two looks.
  if (content.length > TICKET_LIMITS.attachmentBytes) return `${name} is larger than ${megabytes(TICKET_LIMITS.attachmentBytes)}.`;
  drafts.addFile(owner, { name, type: mimeType(name), content });
  return undefined;
}

const MIME: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.txt': 'text/plain',
  '.log': 'text/plain',
  '.csv': 'text/csv',
  '.json': 'application/json',
  '.xml': 'application/xml',
  '.pdf': 'application/pdf',
  '.zip': 'application/zip',
  '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

export function mimeType(name: string): string {
  return MIME[extname(name).toLowerCase()] ?? 'application/octet-stream';
}
