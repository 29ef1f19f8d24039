// A device's identity history (enrolments that continued it, possible duplicates, merges), kept apart
// from the inventory change history, whose rows are deltas of the snapshot.
import type Database from 'better-sqlite3';
import type { IdentityEvent, IdentityEventKind } from '../store.js';

interface EventRow {
  id: number;
  at: number;
  kind: IdentityEventKind;
  detail: string;
}

export interface IdentityEvents {
  add(deviceId: string, at: number, kind: IdentityEventKind, detail: Record<string, unknown>): void;
  list(deviceId: string, limit: number): IdentityEvent[];
}

export function createIdentityEvents(db: Database.Database): IdentityEvents {
  const insert = db.prepare('INSERT INTO device_events (device_id, at, kind, detail) VALUES (?, ?, ?, ?)');
  const select = db.prepare<[string, number], EventRow>(
    'SELECT id, at, kind, detail FROM device_events WHERE device_id = ? ORDER BY id DESC LIMIT ?',
  );
  return {
    add: (deviceId, at, kind, detail) => void insert.run(deviceId, at, kind, JSON.stringify(detail)),
    list: (deviceId, limit) =>
      select
        .all(deviceId, limit)
        .map((r) => ({ id: r.id, at: r.at, kind: r.kind, detail: JSON.parse(r.detail) as Record<string, unknown> })),
  };
}
