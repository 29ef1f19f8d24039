// A batch's writes to the device row and its snapshot row, in one statement (one round trip): the
// seq, the snapshot's digest, the columns that come from the sections the batch rewrote (display,
// posture), the snapshot row (its digests, or the whole row on a full write) in a WITH clause, and,
// when the batch's ticket items follow, the device's columns as the ledger reads them after the
// batch's writes (RETURNING: nothing the batch writes later changes them). Once a column was set by
// up to three UPDATEs of the row, each a row version of its own; the ledger's read was a statement
// of its own. The texts are made from a handful of fixed pieces, so there are few of them, each
// prepared once per connection (tx.ts `prepared`).
import type { LedgerHead } from './ledger-reads.js';
import { displayColumns, postureColumns } from '../sqlite/rows.js';
import type { ChangeRecord, StoredInventory } from '../store.js';
import { prepared, type Queryable } from './tx.js';

export interface SnapshotRowWrite {
  /** 'digests': only software changed (the row exists); 'row': the row written whole (made if absent). */
  kind: 'digests' | 'row';
  digests: string;
  softwareCount: number;
  gen: number;
}

export interface DeviceRowWrite {
  lastSeq: number;
  needsFull: boolean;
  at: number;
  digest?: string;
  snapshot?: SnapshotRowWrite;
  /** The sections the display and posture columns come from (set when the batch rewrote them). */
  display?: StoredInventory;
  posture?: StoredInventory;
  /** Return the ledger's head (the batch's ticket items follow). */
  ledgerHead: boolean;
  /** The batch's change records, when they are all known by now (written in the same statement). */
  changes?: readonly ChangeRecord[];
}

const SNAPSHOT_SQL = {
  digests: (p: (v: unknown) => string) =>
    `UPDATE snapshots SET digests = ${p('digests')}, software_count = ${p('count')}, software_gen = ${p('gen')}, updated_at = $3 WHERE device_id = $4`,
  row: (p: (v: unknown) => string) =>
    `INSERT INTO snapshots (device_id, snapshot, digests, software_count, software_gen, updated_at) VALUES ($4, '{}', ${p('digests')}, ${p('count')}, ${p('gen')}, $3)
     ON CONFLICT (device_id) DO UPDATE SET snapshot = excluded.snapshot, digests = excluded.digests,
       software_count = excluded.software_count, software_gen = excluded.software_gen, updated_at = excluded.updated_at`,
};

/** The devices column of each postureColumns value (displayColumns' keys are their columns already). */
const POSTURE_COLUMN = {
  minFreePercent: 'min_free_percent',
  diskEncryption: 'disk_encryption',
  firewall: 'firewall',
  rebootRequired: 'reboot_required',
} as const satisfies Record<keyof ReturnType<typeof postureColumns>, string>;

/** Writes the device row (and its snapshot row); returns the ledger's head when asked for. */
export async function writeDeviceRow(db: Queryable, deviceId: string, w: DeviceRowWrite): Promise<LedgerHead | undefined> {
  const values: unknown[] = [w.lastSeq, w.needsFull, w.at, deviceId];
  const param = (v: unknown) => `$${values.push(v)}`;
  const set = ['last_seq = $1', 'needs_full = $2', 'last_seen = $3'];
  if (w.digest !== undefined) set.push(`digest = ${param(w.digest)}`);
  if (w.display) for (const [column, v] of Object.entries(displayColumns(w.display))) set.push(`${column} = ${param(v)}`);
  if (w.posture)
    for (const [key, v] of Object.entries(postureColumns(w.posture)))
      set.push(`${POSTURE_COLUMN[key as keyof typeof POSTURE_COLUMN]} = ${param(v)}`);
  const ctes: string[] = [];
  if (w.snapshot) {
    const s = w.snapshot;
    const byName = { digests: s.digests, count: s.softwareCount, gen: s.gen };
    ctes.push(`snapshot AS (${SNAPSHOT_SQL[s.kind]((name) => param(byName[name as keyof typeof byName]))})`);
  }
  if (w.changes && w.changes.length > 0) ctes.push(`history AS (${changesInsert(w.changes, param, { device: '$4', receivedAt: '$3' })})`);
  const withSnapshot = ctes.length > 0 ? `WITH ${ctes.join(', ')} ` : '';
  const returning = w.ledgerHead
    ? ` RETURNING hostname, serial, manufacturer, model, os, ip, (SELECT value FROM desk_state WHERE key = ${param(`posture:${deviceId}`)}) AS memory,
         (SELECT array_agg(name) FROM prohibited_exemptions WHERE device_id = $4) AS exemptions`
    : '';
  const r = await db.query<LedgerHead>(prepared(`${withSnapshot}UPDATE devices SET ${set.join(', ')} WHERE id = $4${returning}`, values));
  return w.ledgerHead ? r.rows[0] : undefined;
}

/** A batch's change records in their order; `device` and `receivedAt` are the parameters that hold those. */
export function changesInsert(
  changes: readonly ChangeRecord[],
  param: (v: unknown) => string,
  { device, receivedAt }: { device: string; receivedAt: string },
): string {
  const json = (pick: (c: ChangeRecord) => unknown) => changes.map((c) => JSON.stringify(pick(c)));
  const arrays = [
    `${param(changes.map((c) => c.at))}::text[]`,
    `${param(changes.map((c) => c.trigger))}::text[]`,
    `${param(changes.map((c) => c.seq))}::bigint[]`,
    `${param(changes.map((c) => c.section))}::text[]`,
    `${param(json((c) => c.added))}::text[]`,
    `${param(json((c) => c.removed))}::text[]`,
    `${param(json((c) => c.changed))}::text[]`,
  ];
  return `INSERT INTO changes (device_id, received_at, at, trigger, seq, section, added, removed, changed)
     SELECT ${device}, ${receivedAt}, c.at, c.trigger, c.seq, c.section, c.added, c.removed, c.changed FROM unnest(${arrays.join(', ')})
     WITH ORDINALITY AS c(at, trigger, seq, section, added, removed, changed, n) ORDER BY n`;
}
