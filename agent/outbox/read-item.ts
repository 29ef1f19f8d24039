// A queued row read back as the item the server is sent. The row was valid when written; one
// that no longer reads (a damaged file, an edit by hand) is reported, not sent.
import { ItemSchema, type Item } from '../../shared/protocol.js';
import type { ItemRow } from './queue.js';

export type ReadItem = { ok: true; item: Item } | { ok: false; reason: string };

export function readItem(row: ItemRow): ReadItem {
  let body: unknown;
  try {
    body = JSON.parse(row.body);
  } catch {
    return { ok: false, reason: 'the body is not valid JSON' };
  }
  const parsed = ItemSchema.safeParse({ seq: row.seq, at: row.at, kind: row.kind, body });
  if (parsed.success) return { ok: true, item: parsed.data };
  const issue = parsed.error.issues[0];
  return { ok: false, reason: `${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}` };
}
