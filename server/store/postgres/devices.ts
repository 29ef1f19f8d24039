// One device's reads and small writes in PostgreSQL: its credential, hello, online flag, detail,
// software, change history and identity events.
import type pg from 'pg';
import type { Software } from '../../../shared/inventory.js';
import { cleanHints } from '../identity.js';
import { lazyRest, materialisedRest, type RestSection } from '../../../shared/stored-sections.js';
import { SOFTWARE_COLUMNS, sortedSoftware, toSoftware, type SoftwareRow } from '../sqlite/batch.js';
import { toChange, type ChangeRow } from '../sqlite/rows.js';
import type {
  DeviceCredential,
  DeviceMark,
  DeviceDetail,
  DeviceRuntime,
  HelloRecord,
  IdentityEvent,
  IdentityEventKind,
  StoredChange,
} from '../store.js';
import { containsPattern, PG_DEVICE_COLUMNS, toPgSummary, type PgDeviceRow } from './rows.js';
import { inTransaction, type Queryable } from './tx.js';

/** Writes one identity event inside the caller's transaction. */
export async function addIdentityEvent(
  db: Queryable,
  deviceId: string,
  at: number,
  kind: IdentityEventKind,
  detail: Record<string, unknown>,
): Promise<void> {
  await db.query('INSERT INTO device_events (device_id, at, kind, detail) VALUES ($1, $2, $3, $4)', [
    deviceId,
    at,
    kind,
    JSON.stringify(detail),
  ]);
}

/** Replaces the device's matchable MACs (one statement, whatever their number). */
export async function setDeviceMacs(db: Queryable, deviceId: string, macs: readonly string[]): Promise<void> {
  await db.query('DELETE FROM device_macs WHERE device_id = $1', [deviceId]);
  await db.query('INSERT INTO device_macs (mac, device_id) SELECT DISTINCT unnest($1::text[]), $2 ON CONFLICT DO NOTHING', [
    macs,
    deviceId,
  ]);
}

export class PgDevices {
  constructor(private readonly pool: pg.Pool) {}

  async exists(deviceId: string): Promise<boolean> {
    return (await this.pool.query('SELECT 1 FROM devices WHERE id = $1', [deviceId])).rowCount === 1;
  }

  async credential(deviceId: string): Promise<DeviceCredential | null> {
    const r = await this.pool.query<{ id: string; secret_hash: Buffer }>(
      `SELECT id, secret_hash FROM devices WHERE id = $1
       UNION ALL SELECT d.id, d.secret_hash FROM device_aliases a JOIN devices d ON d.id = a.device_id WHERE a.alias = $1 LIMIT 1`,
      [deviceId],
    );
    const row = r.rows[0];
    return row ? { deviceId: row.id, secretHash: row.secret_hash } : null;
  }

  async identityEvents(deviceId: string, limit: number): Promise<IdentityEvent[] | null> {
    if (!(await this.exists(deviceId))) return null;
    const r = await this.pool.query<{ id: number; at: number; kind: IdentityEventKind; detail: string }>(
      'SELECT id, at, kind, detail FROM device_events WHERE device_id = $1 ORDER BY id DESC LIMIT $2',
      [deviceId, limit],
    );
    return r.rows.map((e) => ({ id: e.id, at: e.at, kind: e.kind, detail: JSON.parse(e.detail) as Record<string, unknown> }));
  }

  async recordHello(deviceId: string, hello: HelloRecord): Promise<DeviceRuntime | null> {
    // Only what the agent may legitimately change between connections: its name, version, adapters.
    const hints = cleanHints(hello.hints);
    return inTransaction(this.pool, async (client) => {
      const r = await client.query<{ last_seq: number; needs_full: boolean }>(
        `UPDATE devices SET hostname = $1, macs = $2, serial = COALESCE($3, serial), uuid = COALESCE($4, uuid), agent_version = $5,
           last_seen = $6 WHERE id = $7 RETURNING last_seq, needs_full`,
        [hints.hostname, JSON.stringify(hints.macs), hints.serial, hints.uuid, hello.agentVersion, hello.at, deviceId],
      );
      const row = r.rows[0];
      if (!row) return null;
      await setDeviceMacs(client, deviceId, hints.matchableMacs);
      return { lastSeq: row.last_seq, needsFull: row.needs_full };
    });
  }

  async touch(deviceId: string, at: number): Promise<void> {
    await this.pool.query('UPDATE devices SET last_seen = GREATEST(last_seen, $1) WHERE id = $2', [at, deviceId]);
  }

  async setOnline(deviceId: string, online: boolean): Promise<void> {
    await this.pool.query('UPDATE devices SET online = $1 WHERE id = $2', [online, deviceId]);
  }

  async markDevices(marks: readonly DeviceMark[]): Promise<void> {
    if (marks.length === 0) return;
    await this.pool.query(
      `UPDATE devices d SET online = COALESCE(m.online, d.online), last_seen = GREATEST(d.last_seen, COALESCE(m.seen, d.last_seen))
       FROM unnest($1::text[], $2::boolean[], $3::bigint[]) AS m(id, online, seen) WHERE d.id = m.id`,
      [marks.map((m) => m.deviceId), marks.map((m) => m.online ?? null), marks.map((m) => m.seenAt ?? null)],
    );
  }

  async clearOnline(): Promise<void> {
    await this.pool.query('UPDATE devices SET online = false WHERE online');
  }

  async detail(deviceId: string): Promise<DeviceDetail | null> {
    const r = await this.pool.query<PgDeviceRow>(`SELECT ${PG_DEVICE_COLUMNS} FROM devices d WHERE d.id = $1`, [deviceId]);
    const row = r.rows[0];
    if (!row) return null;
    const snap = await this.pool.query<{ software_gen: number }>('SELECT software_gen FROM snapshots WHERE device_id = $1', [deviceId]);
    let snapshot: DeviceDetail['snapshot'] = null;
    if (snap.rows[0]) {
      // Every section but software is rows of the live generation (sections.ts), read in one
      // statement with the generation it belongs to; software has its own table.
      const rows = await this.pool.query<{ section: RestSection; ord: number; body: string }>(
        `SELECT x.section, x.ord, x.body FROM snapshot_sections x JOIN snapshots s ON s.device_id = x.device_id AND s.software_gen = x.gen
         WHERE x.device_id = $1`,
        [deviceId],
      );
      const rest = lazyRest((section) =>
        rows.rows.filter((r) => r.section === section).map((r) => ({ ord: r.ord, body: JSON.parse(r.body) as unknown })),
      );
      const sw = await this.pool.query<SoftwareRow>(`SELECT ${SOFTWARE_COLUMNS} FROM software WHERE device_id = $1`, [deviceId]);
      snapshot = { ...materialisedRest(rest), software: sortedSoftware(sw.rows) };
    }
    return { ...toPgSummary(row), digest: row.digest, needsFull: row.needs_full, snapshot };
  }

  async software(deviceId: string, query?: string): Promise<Software[] | null> {
    if (!(await this.exists(deviceId))) return null;
    const r = await this.pool.query<SoftwareRow>(
      `SELECT ${SOFTWARE_COLUMNS} FROM software
       WHERE device_id = $1 AND ($2::text IS NULL OR name ILIKE $2 ESCAPE '\\' OR publisher ILIKE $2 ESCAPE '\\')
       ORDER BY lower(name) COLLATE "C", source COLLATE "C", item_key COLLATE "C"`,
      [deviceId, query ? containsPattern(query) : null],
    );
    return r.rows.map(toSoftware);
  }

  async changes(deviceId: string, page: { limit: number; before?: number }): Promise<StoredChange[] | null> {
    if (!(await this.exists(deviceId))) return null;
    const r = await this.pool.query<ChangeRow>('SELECT * FROM changes WHERE device_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3', [
      deviceId,
      page.before ?? Number.MAX_SAFE_INTEGER,
      page.limit,
    ]);
    return r.rows.map(toChange);
  }
}
