// The devices list in PostgreSQL: search, filters, order and one page, the same statement shapes as
// SQLite's (../sqlite/device-list.ts) with PostgreSQL's spelling: ILIKE for SQLite's ASCII
// case-insensitive LIKE, lower() in "C" order for NOCASE, NULLs placed where SQLite puts them.
import type pg from 'pg';
import type { DeviceSort } from '../../../shared/http-api.js';
import type { DeviceQuery, DeviceSummary, ResultPage } from '../store.js';
import { containsPattern, toPgSummary, type PgDeviceRow } from './rows.js';

const nocase = (column: string) => `lower(${column}) COLLATE "C"`;
const IP_SORT_KEY = `CASE WHEN d.ip ~ '^\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}$'
  THEN '4:' || (SELECT string_agg(lpad(o, 3, '0'), '.' ORDER BY n) FROM unnest(string_to_array(d.ip, '.')) WITH ORDINALITY AS u(o, n))
  ELSE '6:' || d.ip END COLLATE "C"`;

/** Order keys per sort. A leading "is empty" key (always ascending) puts devices without the value last. */
const SORT_KEYS: Record<DeviceSort, { empty?: string; keys: string[] }> = {
  hostname: { keys: [nocase('d.hostname')] },
  lastSeen: { keys: ['d.last_seen'] },
  os: {
    empty: 'd.os IS NULL',
    keys: ['d.platform COLLATE "C"', nocase("d.os::jsonb->>'distro'"), `(d.os::jsonb->>'release') COLLATE "C"`],
  },
  serial: { empty: 'd.serial IS NULL', keys: [nocase('d.serial')] },
  ip: { empty: 'd.ip IS NULL', keys: [IP_SORT_KEY] },
  user: { empty: "d.users = ''", keys: [nocase('d.users')] },
};

/** Placeholders numbered as values are added. */
class Params {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

function whereClause(query: DeviceQuery, p: Params): string {
  const terms: string[] = [];
  if (query.q !== undefined && query.q !== '') {
    const q = p.add(containsPattern(query.q));
    terms.push(
      `(d.hostname ILIKE ${q} ESCAPE '\\' OR d.serial ILIKE ${q} ESCAPE '\\' OR d.users ILIKE ${q} ESCAPE '\\' OR d.ip ILIKE ${q} ESCAPE '\\')`,
    );
  }
  if (query.platform !== undefined) terms.push(`d.platform = ${p.add(query.platform)}`);
  if (query.online !== undefined) terms.push(`d.online = ${p.add(query.online)}`);
  if (query.seenAfter !== undefined) terms.push(`d.last_seen >= ${p.add(query.seenAfter)}`);
  if (query.seenBefore !== undefined) terms.push(`d.last_seen < ${p.add(query.seenBefore)}`);
  // The issue 18 filters, on the columns the snapshots trigger keeps (schema-software.ts).
  if (query.lowDisk !== undefined) terms.push(`d.min_free_percent < ${p.add(query.lowDisk)}`);
  if (query.encryption === 'unknown') terms.push('d.disk_encryption IS NULL');
  else if (query.encryption !== undefined) terms.push(`d.disk_encryption = ${p.add(query.encryption)}`);
  if (query.rebootRequired !== undefined) terms.push(`d.reboot_required = ${p.add(query.rebootRequired)}`);
  if (query.firewall !== undefined) terms.push(`d.firewall = ${p.add(query.firewall)}`);
  return terms.length ? `WHERE ${terms.join(' AND ')}` : '';
}

function orderClause(query: DeviceQuery): string {
  const sort = query.sort ?? 'hostname';
  const order = query.order ?? (sort === 'lastSeen' ? 'desc' : 'asc');
  // SQLite sorts NULL first ascending and last descending.
  const dir = order === 'desc' ? 'DESC NULLS LAST' : 'ASC NULLS FIRST';
  const { empty, keys } = SORT_KEYS[sort];
  // The id last: a stable order, so that pages neither repeat nor skip a device.
  return `ORDER BY ${[...(empty ? [empty] : []), ...keys.map((k) => `${k} ${dir}`), `d.id COLLATE "C" ${dir}`].join(', ')}`;
}

export async function listPgDevices(pool: pg.Pool, query: DeviceQuery): Promise<ResultPage<DeviceSummary>> {
  const p = new Params();
  const where = whereClause(query, p);
  const filters = p.values.length;
  // One statement: the count and the page agree even while batches commit.
  const r = await pool.query<PgDeviceRow & { total: number }>(
    `WITH page AS (SELECT d.*, count(*) OVER () AS total FROM devices d ${where} ${orderClause(query)}
       LIMIT ${p.add(query.limit)} OFFSET ${p.add(query.offset)})
     SELECT page.*, coalesce((SELECT s.software_count FROM snapshots s WHERE s.device_id = page.id), 0) AS software_count FROM page`,
    p.values,
  );
  if (r.rows.length === 0) {
    const count = await pool.query<{ n: number }>(`SELECT count(*) AS n FROM devices d ${where}`, p.values.slice(0, filters));
    return { items: [], total: count.rows[0]!.n };
  }
  return { items: r.rows.map(toPgSummary), total: r.rows[0]!.total };
}
