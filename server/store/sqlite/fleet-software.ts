// Software across the fleet, by package name. software_names holds one row per name with its device
// and version counts, kept by every write in its own transaction (fleet-counts.ts, migration 20), so
// a read here reads counts and never recounts. The publisher is the first one any install reported.
import type Database from 'better-sqlite3';
import type { FleetSoftware, FleetSoftwareQuery, ProhibitedTest, ResultPage, SoftwareDetail, SoftwareInstall } from '../store.js';
import { containsPattern } from './device-list.js';

interface NameRow {
  name: string;
  publisher: string | null;
  devices: number;
  versions: number;
}

interface InstallRow {
  device_id: string;
  hostname: string;
  online: number;
  version: string | null;
  source: SoftwareInstall['source'];
  last_seen: number;
}

const NOTHING_PROHIBITED: ProhibitedTest = () => false;

/** Distinct versions one detail answer lists; the busiest first. */
export const MAX_DETAIL_VERSIONS = 500;

export class FleetSoftwareQueries {
  /** The test the SQL function `prohibited_name` asks while one statement runs. */
  private prohibited: ProhibitedTest = NOTHING_PROHIBITED;

  constructor(private readonly db: Database.Database) {
    db.function('prohibited_name', { deterministic: false }, (name: unknown) =>
      typeof name === 'string' && this.prohibited(name) ? 1 : 0,
    );
  }

  list(query: FleetSoftwareQuery): ResultPage<FleetSoftware> {
    return this.withTest(query.prohibited ?? NOTHING_PROHIBITED, (prohibited) => {
      const terms: string[] = [];
      const params: Record<string, string | number> = { limit: query.limit, offset: query.offset };
      if (query.q !== undefined && query.q !== '') {
        params.q = containsPattern(query.q);
        terms.push(`(name LIKE @q ESCAPE '\\' OR publisher LIKE @q ESCAPE '\\')`);
      }
      if (query.prohibitedOnly) terms.push('prohibited_name(name) = 1');
      const where = terms.length ? `WHERE ${terms.join(' AND ')}` : '';
      const total = (this.db.prepare(`SELECT COUNT(*) AS n FROM software_names ${where}`).get(params) as { n: number }).n;
      const rows = this.db
        .prepare(`SELECT name, publisher, devices, versions FROM software_names ${where} ORDER BY name LIMIT @limit OFFSET @offset`)
        .all(params) as NameRow[];
      return { total, items: rows.map((r) => ({ ...r, prohibited: prohibited(r.name) })) };
    });
  }

  detail(name: string, page: { limit: number; offset: number }): SoftwareDetail | null {
    const db = this.db;
    return db.transaction(() => {
      const versions = db
        .prepare<[string, number], { version: string | null; devices: number }>(
          `SELECT version, COUNT(DISTINCT device_id) AS devices FROM software WHERE name = ? COLLATE NOCASE
           GROUP BY version ORDER BY devices DESC, version LIMIT ?`,
        )
        .all(name, MAX_DETAIL_VERSIONS);
      if (versions.length === 0) return null;
      const spelling = db
        .prepare<[string], { name: string }>(
          'SELECT name FROM software WHERE name = ? COLLATE NOCASE GROUP BY name ORDER BY COUNT(*) DESC, name LIMIT 1',
        )
        .get(name)!.name;
      const total = db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM software WHERE name = ? COLLATE NOCASE').get(name)!.n;
      const rows = db
        .prepare<[string, number, number], InstallRow>(
          `SELECT s.device_id, d.hostname, d.online, s.version, s.source, d.last_seen
           FROM software s JOIN devices d ON d.id = s.device_id WHERE s.name = ? COLLATE NOCASE
           ORDER BY d.hostname COLLATE NOCASE, s.device_id, s.version, s.item_key LIMIT ? OFFSET ?`,
        )
        .all(name, page.limit, page.offset);
      const installs = rows.map((r) => ({
        deviceId: r.device_id,
        hostname: r.hostname,
        online: r.online === 1,
        version: r.version,
        source: r.source,
        lastSeen: r.last_seen,
      }));
      return { name: spelling, versions, installs: { items: installs, total } };
    })();
  }

  /** For each test: the devices with at least one package whose name it holds for. */
  deviceCounts(tests: readonly ProhibitedTest[], any?: ProhibitedTest): number[] {
    if (tests.length === 0) return [];
    const names = this.db
      .prepare<[], { name: string }>('SELECT name FROM software_names')
      .all()
      .map((r) => r.name);
    // One pass with all patterns finds the few candidate names; only those are tested one by one.
    const candidates = any ? names.filter(any) : names;
    const count = this.db.prepare<[string], { n: number }>(
      // A device IT allowed to keep a name (an approved exception) is not counted for it.
      `SELECT COUNT(DISTINCT device_id) AS n FROM software s WHERE name COLLATE NOCASE IN (SELECT value FROM json_each(?))
       AND NOT EXISTS (SELECT 1 FROM prohibited_exemptions e WHERE e.device_id = s.device_id AND e.name = s.name COLLATE NOCASE)`,
    );
    return tests.map((test) => {
      const matched = candidates.filter(test);
      return matched.length === 0 ? 0 : count.get(JSON.stringify(matched))!.n;
    });
  }

  private withTest<T>(prohibited: ProhibitedTest, run: (prohibited: ProhibitedTest) => T): T {
    this.prohibited = prohibited;
    try {
      return run(prohibited);
    } finally {
      this.prohibited = NOTHING_PROHIBITED;
    }
  }
}
