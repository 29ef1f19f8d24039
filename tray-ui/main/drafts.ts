// Files and screenshots a person has attached to a ticket they are still writing. They stay in the
// main process; the window sees names, sizes and a preview, and sends back ids. A draft belongs to
// the window that made it and goes when the ticket is sent or the window closes.
import { randomBytes } from 'node:crypto';
import { OutpostError } from '../../shared/errors.js';
import { TICKET_LIMITS, type Attachment } from '../../shared/tickets.js';
import type { PickedFile } from '../../shared/tray-api.js';

export interface DraftFile {
  id: string;
  name: string;
  type: string;
  content: Buffer;
}

interface Draft {
  files: DraftFile[];
  screenshots: Map<string, Buffer>;
}

export function newDraftId(): string {
  return randomBytes(12).toString('base64url');
}

export class Drafts {
  private readonly byOwner = new Map<number, Draft>();

  constructor(private readonly newId: () => string = newDraftId) {}

  files(owner: number): PickedFile[] {
    return this.draft(owner).files.map(({ id, name, content }) => ({ id, name, bytes: content.length }));
  }

  /** Bytes already attached to this owner's draft. */
  attachedBytes(owner: number): number {
    return this.draft(owner).files.reduce((n, f) => n + f.content.length, 0);
  }

  fileCount(owner: number): number {
    return this.draft(owner).files.length;
  }

  addFile(owner: number, file: Omit<DraftFile, 'id'>): PickedFile {
    const entry = { ...file, id: this.newId() };
    this.draft(owner).files.push(entry);
    return { id: entry.id, name: entry.name, bytes: entry.content.length };
  }

  removeFile(owner: number, id: string): void {
    const draft = this.draft(owner);
    draft.files = draft.files.filter((f) => f.id !== id);
  }

  addScreenshot(owner: number, png: Buffer): string {
    const id = this.newId();
    // One screenshot a ticket: a new capture replaces the last.
    const shots = this.draft(owner).screenshots;
    shots.clear();
    shots.set(id, png);
    return id;
  }

  discardScreenshot(owner: number, id: string): void {
    this.draft(owner).screenshots.delete(id);
  }

  /** The attachments and screenshot for a ticket about to be sent; refuses ids it does not hold. */
  take(owner: number, fileIds: readonly string[], screenshotId: string | undefined): { attachments: Attachment[]; screenshot?: string } {
    const draft = this.draft(owner);
    const files = fileIds.map((id) => {
      const file = draft.files.find((f) => f.id === id);
      if (!file) throw new OutpostError('E_NOT_FOUND', 'An attached file is no longer available: remove it and attach it again.');
      return file;
    });
    const total = files.reduce((n, f) => n + f.content.length, 0);
    if (total > TICKET_LIMITS.ticketAttachmentBytes) {
      throw new OutpostError(
        'E_TOO_LARGE',
        `The attachments add up to ${megabytes(total)}; a ticket can carry at most ${megabytes(TICKET_LIMITS.ticketAttachmentBytes)}.`,
      );
    }
    const attachments = files.map((f) => ({ name: f.name, type: f.type, contentBase64: f.content.toString('base64') }));
    if (screenshotId === undefined) return { attachments };
    const shot = draft.screenshots.get(screenshotId);
    if (!shot) throw new OutpostError('E_NOT_FOUND', 'The screenshot is no longer available: take it again.');
    return { attachments, screenshot: shot.toString('base64') };
  }

  clear(owner: number): void {
    this.byOwner.delete(owner);
  }

  private draft(owner: number): Draft {
    let draft = this.byOwner.get(owner);
    if (!draft) {
      draft = { files: [], screenshots: new Map() };
      this.byOwner.set(owner, draft);
    }
    return draft;
  }
}

/** 10 MB, 12.4 MB: one decimal below 100 MB, as people read sizes. */
export function megabytes(bytes: number): string {
  const mb = bytes / 1024 / 1024;
  return `${mb >= 100 || Number.isInteger(mb) ? Math.round(mb) : mb.toFixed(1)} MB`;
}
