// A batch of items in one transaction: read the device's state, let the planner decide, write the
// new seq, snapshot, software rows and change history, then let the ingest write its ticket items
// through the ledger and enqueue the desk jobs it names: together or not at all.
import type Database from 'better-sqlite3';
import { compareStrings } from '../../../shared/normalise.js';
import { decodeDigests, encodeDigests } from '../../../shared/digest.js';
import { itemKey, type Software } from '../../../shared/inventory.js';
import type { NewDeskJob } from '../desk-records.js';
import type { AppliedBatch, BatchOutcome, ChangeRecord, FollowBatch, IngestState, SoftwareTable, StoredInventory } from '../store.js';
import { displayColumns } from './rows.js';
import { createTicketLedger } from './ticket-ledger.js';

interface StateRow {
  secret_hash: Buffer;
  last_seq: number;
  digest: string | null;
  needs_full: number;
  snapshot: string | null;
  digests: string | null;
  software_count: number | null;
}

/** A software row as stored, which is a Software item column by column. */
export interface SoftwareRow {
  name: string;
  version: string | null;
  publisher: string | null;
  arch: string | null;
  source: Software['source'];
  scope: Software['scope'];
  user_name: string | null;
  install_date: string | null;
}

export const SOFTWARE_COLUMNS = 'name, version, publisher, arch, source, scope, user_name, install_date';

/** The applied batch and how many desk jobs it enqueued (the caller tells the sync after commit). */
export type ApplyBatch = <T extends BatchOutcome>(
  deviceId: string,
  at: number,
  plan: (state: IngestState) => T,
  follow?: FollowBatch<T>,
) => (AppliedBatch<T> & { enqueued: number }) | null;

/** `enqueue` writes one desk job inside the caller's transaction. */
export function createApplyBatch(db: Database.Database, enqueue: (job: NewDeskJob, at: number) => void): ApplyBatch {
  const readState = db.prepare<[string], StateRow>(`
    SELECT d.secret_hash, d.last_seq, d.digest, d.needs_full, s.snapshot, s.digests, s.software_count
    FROM devices d LEFT JOIN snapshots s ON s.device_id = d.id WHERE d.id = ?`);
  const softwareByKey = db.prepare<[string, string], SoftwareRow>(
    `SELECT ${SOFTWARE_COLUMNS} FROM software WHERE device_id = ? AND item_key = ?`,
  );
  const allSoftware = db.prepare<[string], SoftwareRow>(`SELECT ${SOFTWARE_COLUMNS} FROM software WHERE device_id = ?`);
  const writeProgress = db.prepare('UPDATE devices SET last_seq = ?, needs_full = ?, last_seen = ? WHERE id = ?');
  const writeSnapshot = db.prepare(`
    INSERT INTO snapshots (device_id, snapshot, digests, software_count, updated_at) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT(device_id) DO UPDATE SET snapshot = excluded.snapshot, digests = excluded.digests,
      software_count = excluded.software_count, updated_at = excluded.updated_at`);
  const writeDisplay = db.prepare(`
    UPDATE devices SET digest = @digest, hostname = @hostname, manufacturer = @manufacturer, model = @model, os = @os, ip = @ip,
      users = @users
    WHERE id = @id`);
  const deleteSoftware = db.prepare('DELETE FROM software WHERE device_id = ? AND item_key = ?');
  const upsertSoftware = db.prepare(`
    INSERT OR REPLACE INTO software (device_id, item_key, name, version, publisher, arch, source, scope, user_name, install_date)
    VALUES (@deviceId, @key, @name, @version, @publisher, @arch, @source, @scope, @user, @installDate)`);
  const insertChange = db.prepare(`
    INSERT INTO changes (device_id, at, received_at, trigger, seq, section, added, removed, changed)
    VALUES (@deviceId, @at, @receivedAt, @trigger, @seq, @section, @added, @removed, @changed)`);

  const writeSoftware = (deviceId: string, software: NonNullable<BatchOutcome['software']>) => {
    for (const key of software.remove) deleteSoftware.run(deviceId, key);
    for (const s of software.upsert) upsertSoftware.run(softwareRow(deviceId, s));
  };
  const writeChange = (deviceId: string, receivedAt: number, c: ChangeRecord) =>
    insertChange.run({
      deviceId,
      receivedAt,
      at: c.at,
      trigger: c.trigger,
      seq: c.seq,
      section: c.section,
      added: JSON.stringify(c.added),
      removed: JSON.stringify(c.removed),
      changed: JSON.stringify(c.changed),
    });

  const ledgerFor = createTicketLedger(db);

  const apply = <T extends BatchOutcome>(deviceId: string, at: number, plan: (state: IngestState) => T, follow?: FollowBatch<T>) => {
    const row = readState.get(deviceId);
    if (!row) return null;
    // The planner looks a key up more than once (apply, digest, fold); the rows cannot change before
    // it returns, so each is read once.
    const read = new Map<string, Software | undefined>();
    const software: SoftwareTable = {
      get: (key) => {
        if (!read.has(key)) {
          const r = softwareByKey.get(deviceId, key);
          read.set(key, r && toSoftware(r));
        }
        return read.get(key);
      },
      size: row.software_count ?? 0,
      all: () => allSoftware.all(deviceId).map(toSoftware),
    };
    const state: IngestState = {
      deviceId,
      secretHash: row.secret_hash,
      lastSeq: row.last_seq,
      digest: row.digest,
      needsFull: row.needs_full === 1,
      inventory: row.snapshot === null ? null : { rest: JSON.parse(row.snapshot) as StoredInventory, digests: decodeDigests(row.digests) },
      software,
    };
    const outcome = plan(state);
    if (outcome.snapshot) {
      const { inventory, digests, digest, softwareCount } = outcome.snapshot;
      writeSnapshot.run(deviceId, JSON.stringify(inventory), encodeDigests(digests), softwareCount, at);
      writeDisplay.run({ id: deviceId, digest, ...displayColumns(inventory) });
    }
    writeProgress.run(outcome.lastSeq, outcome.needsFull ? 1 : 0, at, deviceId);
    if (outcome.software) writeSoftware(deviceId, outcome.software);
    for (const change of outcome.changes) writeChange(deviceId, at, change);
    const followed = follow?.(ledgerFor(deviceId), outcome, state);
    for (const job of followed?.deskJobs ?? []) enqueue(job, at);
    return { plan: outcome, tickets: followed?.tickets ?? [], enqueued: followed?.deskJobs.length ?? 0 };
  };
  return db.transaction(apply) as ApplyBatch;
}

/** A stored row back to the item it was written from (absent fields were written as NULL). */
export function toSoftware(r: SoftwareRow): Software {
  const s: Software = { name: r.name, source: r.source, scope: r.scope };
  if (r.version !== null) s.version = r.version;
  if (r.publisher !== null) s.publisher = r.publisher;
  if (r.arch !== null) s.arch = r.arch;
  if (r.user_name !== null) s.user = r.user_name;
  if (r.install_date !== null) s.installDate = r.install_date;
  return s;
}

/** The software rows in snapshot order (code-unit order of the item key, as normaliseSnapshot sorts). */
export function sortedSoftware(rows: readonly SoftwareRow[]): Software[] {
  return rows.map(toSoftware).sort((a, b) => compareStrings(itemKey.software(a), itemKey.software(b)));
}

function softwareRow(deviceId: string, s: Software) {
  return {
    deviceId,
    key: itemKey.software(s),
    name: s.name,
    version: s.version ?? null,
    publisher: s.publisher ?? null,
    arch: s.arch ?? null,
    source: s.source,
    scope: s.scope,
    user: s.user ?? null,
    installDate: s.installDate ?? null,
  };
}
