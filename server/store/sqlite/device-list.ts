// The devices list: search, filters, order and one page, built as one SQL statement per shape.
// At 10,000 devices a full scan with four LIKEs costs a few milliseconds; what must not happen is
// counting every device's software before the page is cut, so the counts are read for the page only,
// and from the snapshot row, which keeps the live count with its generation (batch.ts): counting a
// page of 50 devices' rows through the software view (~35,000 rows, four joins) cost the main thread
// ~20 ms a page at 1,000 devices, the largest single cost of the API during a first inventory.
import type Database from 'better-sqlite3';
import type { DeviceSort } from '../../../shared/http-api.js';
import type { DeviceQuery, DeviceSummary, ResultPage } from '../store.js';
import { toSummary, type DeviceRow } from './rows.js';

/** Order keys per sort. A leading "is empty" key (always ascending) puts devices without the value last. */
const SORT_KEYS: Record<DeviceSort, { empty?: string; keys: string[] }> = {
  hostname: { keys: ['d.hostname COLLATE NOCASE'] },
  lastSeen: { keys: ['d.last_seen'] },
  os: { empty: 'd.os IS NULL', keys: ['d.platform', "json_extract(d.os, '$.distro') COLLATE NOCASE", "json_extract(d.os, '$.release')"] },
  serial: { empty: 'd.serial IS NULL', keys: ['d.serial COLLATE NOCASE'] },
  ip: { empty: 'd.ip IS NULL', keys: ['ip_sort_key(d.ip)'] },
  user: { empty: "d.users = ''", keys: ['d.users COLLATE NOCASE'] },
};

/** 10.0.0.9 before 10.0.0.10: IPv4 octets zero-padded; anything else after, as text. */
export function ipSortKey(ip: unknown): string | null {
  if (typeof ip !== 'string') return null;
  const octets = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  return octets
    ? `4:${octets
        .slice(1)
        .map((o) => o.padStart(3, '0'))
        .join('.')}`
    : `6:${ip}`;
}

/** `%text%` for LIKE with its wildcards taken literally (ESCAPE '\'). */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

interface Params {
  q?: string;
  platform?: string;
  online?: number;
  seenAfter?: number;
  seenBefore?: number;
  lowDisk?: number;
  encryption?: string;
  rebootRequired?: number;
  firewall?: string;
}

function whereClause(query: DeviceQuery): { sql: string; params: Params } {
  const terms: string[] = [];
  const params: Params = {};
  if (query.q !== undefined && query.q !== '') {
    params.q = containsPattern(query.q);
    terms.push(
      `(d.hostname LIKE @q ESCAPE '\\' OR d.serial LIKE @q ESCAPE '\\' OR d.users LIKE @q ESCAPE '\\' OR d.ip LIKE @q ESCAPE '\\')`,
    );
  }
  if (query.platform !== undefined) {
    params.platform = query.platform;
    terms.push('d.platform = @platform');
  }
  if (query.online !== undefined) {
    params.online = query.online ? 1 : 0;
    terms.push('d.online = @online');
  }
  if (query.seenAfter !== undefined) {
    params.seenAfter = query.seenAfter;
    terms.push('d.last_seen >= @seenAfter');
  }
  if (query.seenBefore !== undefined) {
    params.seenBefore = query.seenBefore;
    terms.push('d.last_seen < @seenBefore');
  }
  postureTerms(query, terms, params);
  return { sql: terms.length ? `WHERE ${terms.join(' AND ')}` : '', params };
}

/** The issue 18 filters, on the columns migration 9's triggers keep (see migrations.ts). */
function postureTerms(query: DeviceQuery, terms: string[], params: Params): void {
  if (query.lowDisk !== undefined) {
    params.lowDisk = query.lowDisk;
    terms.push('d.min_free_percent < @lowDisk');
  }
  if (query.encryption === 'unknown') terms.push('d.disk_encryption IS NULL');
  else if (query.encryption !== undefined) {
    params.encryption = query.encryption;
    terms.push('d.disk_encryption = @encryption');
  }
  if (query.rebootRequired !== undefined) {
    params.rebootRequired = query.rebootRequired ? 1 : 0;
    terms.push('d.reboot_required = @rebootRequired');
  }
  if (query.firewall !== undefined) {
    params.firewall = query.firewall;
    terms.push('d.firewall = @firewall');
  }
}

function orderClause(query: DeviceQuery): string {
  const sort = query.sort ?? 'hostname';
  const order = query.order ?? (sort === 'lastSeen' ? 'desc' : 'asc');
  const dir = order === 'desc' ? 'DESC' : 'ASC';
  const { empty, keys } = SORT_KEYS[sort];
  // The id last: a stable order, so that pages neither repeat nor skip a device.
  return `ORDER BY ${[...(empty ? [empty] : []), ...keys.map((k) => `${k} ${dir}`), `d.id ${dir}`].join(', ')}`;
}

export type ListDevicePage = (query: DeviceQuery) => ResultPage<DeviceSummary>;

export function createDeviceList(db: Database.Database): ListDevicePage {
  db.function('ip_sort_key', { deterministic: true }, ipSortKey);
  const statements = new Map<string, Database.Statement>();
  const prepared = (sql: string) => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
  const softwareCounts = db.prepare<[string], { device_id: string; n: number }>(
    'SELECT device_id, software_count AS n FROM snapshots WHERE device_id IN (SELECT value FROM json_each(?))',
  );

  return db.transaction((query: DeviceQuery): ResultPage<DeviceSummary> => {
    const where = whereClause(query);
    const total = (prepared(`SELECT COUNT(*) AS n FROM devices d ${where.sql}`).get(where.params) as { n: number }).n;
    const rows = prepared(`SELECT d.* FROM devices d ${where.sql} ${orderClause(query)} LIMIT @limit OFFSET @offset`).all({
      ...where.params,
      limit: query.limit,
      offset: query.offset,
    }) as DeviceRow[];
    if (rows.length === 0) return { items: [], total };
    const counts = new Map(softwareCounts.all(JSON.stringify(rows.map((r) => r.id))).map((c) => [c.device_id, c.n]));
    return { items: rows.map((r) => toSummary({ ...r, software_count: counts.get(r.id) ?? 0 })), total };
  });
}
