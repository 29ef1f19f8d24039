// PostgreSQL rows to the store's records: the same mapping as SQLite's (sqlite/rows.ts), with
// PostgreSQL's booleans where SQLite has 0/1.
import { toSummary, type DeviceRow } from '../sqlite/rows.js';
import type { DeviceSummary } from '../store.js';

export interface PgDeviceRow extends Omit<DeviceRow, 'online' | 'needs_full'> {
  online: boolean;
  needs_full: boolean;
}

/** The columns a device list reads, with its live software count (kept on the snapshot row with its generation). */
export const PG_DEVICE_COLUMNS = `d.id, d.install_id, d.hostname, d.serial, d.uuid, d.macs, d.last_seq, d.digest, d.needs_full,
  d.clone_of, d.duplicate_of, d.duplicate_reason, d.agent_version, d.manufacturer, d.model, d.os, d.ip, d.first_seen, d.last_seen,
  d.users, d.online, coalesce((SELECT s.software_count FROM snapshots s WHERE s.device_id = d.id), 0) AS software_count`;

export function toPgSummary(row: PgDeviceRow): DeviceSummary {
  return toSummary({ ...row, online: row.online ? 1 : 0, needs_full: row.needs_full ? 1 : 0 });
}

/** A LIKE pattern matching `text` anywhere, its wildcards taken literally (ESCAPE '\\'). */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
