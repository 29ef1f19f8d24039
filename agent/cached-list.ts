// A list the server sends whole (ticket templates, the self-service catalog), kept in a file beside
// the outbox so that the tray can offer it while the machine is offline or has not connected yet.
// Written to a new file and renamed over, so a crash leaves one whole list; an unreadable file is as
// good as none (the server sends the list again at the next connection).
import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import type { Logger } from '../shared/log.js';

export interface CachedListOptions<T> {
  path: string;
  item: z.ZodType<T>;
  max: number;
  log: Logger;
  now?: () => Date;
}

export class CachedList<T> {
  private state: { receivedAt: string; items: T[] } | null = null;
  private readonly schema: z.ZodType<{ receivedAt: string; items: T[] }>;

  constructor(private readonly opts: CachedListOptions<T>) {
    this.schema = z.object({ receivedAt: z.string(), items: z.array(opts.item).max(opts.max) });
  }

  start(): void {
    let text: string;
    try {
      text = readFileSync(this.opts.path, 'utf8');
    } catch {
      return;
    }
    try {
      this.state = this.schema.parse(JSON.parse(text));
    } catch (err) {
      this.opts.log.warn(
        { file: this.opts.path, err: (err as Error).message.slice(0, 200) },
        'kept list unreadable; waiting for the server',
      );
    }
  }

  list(): { items: T[]; receivedAt: string | null } {
    return { items: this.state?.items ?? [], receivedAt: this.state?.receivedAt ?? null };
  }

  replace(items: T[]): void {
    const next = { receivedAt: (this.opts.now ?? (() => new Date()))().toISOString(), items };
    const tmp = `${this.opts.path}.${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(tmp, JSON.stringify(next), { mode: 0o600 });
    renameSync(tmp, this.opts.path);
    this.state = next;
  }
}
