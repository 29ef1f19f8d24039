// Where a poll of changed tickets resumes, for desks that stamp changes coarsely: ask again from
// `since` inclusive, skip the tickets already reported at exactly that time.
import type { DeskCursor } from './types.js';

export function seenKey(id: string, updatedAt: string): string {
  return `${id}@${updatedAt}`;
}

export interface Stamped {
  id: string;
  /** ISO 8601, UTC, as the desk stamps it (RT: whole seconds). */
  updatedAt: string;
}

/**
 * The cursor after a poll. A ticket changed in the desk's current second (by the desk's clock,
 * from its Date header) may change again within that second without its stamp moving, so it is
 * not marked seen: the next poll reports it again (events have stable ids) rather than lose the
 * second change.
 */
export function advanceCursor(prev: DeskCursor, reported: Stamped[], serverNow: Date | null): DeskCursor {
  const settledBefore = serverNow ? Math.floor(serverNow.getTime() / 1000) * 1000 : Infinity;
  let since = prev.since;
  for (const t of reported) if (Date.parse(t.updatedAt) > Date.parse(since)) since = t.updatedAt;
  const seen = new Set(since === prev.since ? prev.seen : []);
  for (const t of reported) {
    if (t.updatedAt === since && Date.parse(t.updatedAt) < settledBefore) seen.add(seenKey(t.id, t.updatedAt));
  }
  return { since, seen: [...seen].sort() };
}
