// Software across the fleet and the console's prohibited patterns, in PostgreSQL (what each answer
// means: ../sqlite/fleet-software.ts). software_names is kept by every write in its own transaction
// (fleet-counts.ts, migration 20): a read reads counts and never recounts.
import type pg from 'pg';
import type * as S from '../store.js';
import { containsPattern } from './rows.js';

/** Distinct versions one detail answer lists; the busiest first (as SQLite). */
const MAX_DETAIL_VERSIONS = 500;
const NAME_ORDER = 'lower(name) COLLATE "C", name COLLATE "C"';

export class PgFleetSoftware {
  constructor(private readonly pool: pg.Pool) {}

  async list(query: S.FleetSoftwareQuery): Promise<S.ResultPage<S.FleetSoftware>> {
    const prohibited = query.prohibited ?? (() => false);
    const params: unknown[] = [];
    const terms: string[] = [];
    if (query.q !== undefined && query.q !== '') {
      params.push(containsPattern(query.q));
      terms.push(`(name ILIKE $${params.length} ESCAPE '\\' OR publisher ILIKE $${params.length} ESCAPE '\\')`);
    }
    if (query.prohibitedOnly) {
      // The rule is code, not SQL: it is asked about each name, and the names it holds for are the filter.
      params.push((await this.allNames()).filter(prohibited).map((n) => n.toLowerCase()));
      terms.push(`lower(name) = ANY($${params.length}::text[])`);
    }
    const where = terms.length ? `WHERE ${terms.join(' AND ')}` : '';
    const total = await this.pool.query<{ n: number }>(`SELECT count(*) AS n FROM software_names ${where}`, params);
    const rows = await this.pool.query<{ name: string; publisher: string | null; devices: number; versions: number }>(
      `SELECT name, publisher, devices, versions FROM software_names ${where} ORDER BY ${NAME_ORDER}
       LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, query.limit, query.offset],
    );
    return { total: total.rows[0]!.n, items: rows.rows.map((r) => ({ ...r, prohibited: prohibited(r.name) })) };
  }

  async detail(name: string, page: { limit: number; offset: number }): Promise<S.SoftwareDetail | null> {
    const versions = await this.pool.query<{ version: string | null; devices: number }>(
      `SELECT version, count(DISTINCT device_id) AS devices FROM software WHERE lower(name) = lower($1)
       GROUP BY version ORDER BY devices DESC, version COLLATE "C" NULLS FIRST LIMIT $2`,
      [name, MAX_DETAIL_VERSIONS],
    );
    if (versions.rows.length === 0) return null;
    const spelling = await this.pool.query<{ name: string; n: number }>(
      `SELECT name, count(*) AS n FROM software WHERE lower(name) = lower($1) GROUP BY name ORDER BY n DESC, name COLLATE "C" LIMIT 1`,
      [name],
    );
    const total = await this.pool.query<{ n: number }>('SELECT count(*) AS n FROM software WHERE lower(name) = lower($1)', [name]);
    const rows = await this.pool.query<{
      device_id: string;
      hostname: string;
      online: boolean;
      version: string | null;
      source: S.SoftwareInstall['source'];
      last_seen: number;
    }>(
      `SELECT s.device_id, d.hostname, d.online, s.version, s.source, d.last_seen
       FROM software s JOIN devices d ON d.id = s.device_id WHERE lower(s.name) = lower($1)
       ORDER BY lower(d.hostname) COLLATE "C", s.device_id COLLATE "C", s.version COLLATE "C" NULLS FIRST, s.item_key COLLATE "C"
       LIMIT $2 OFFSET $3`,
      [name, page.limit, page.offset],
    );
    const installs = rows.rows.map((r) => ({
      deviceId: r.device_id,
      hostname: r.hostname,
      online: r.online,
      version: r.version,
      source: r.source,
      lastSeen: r.last_seen,
    }));
    return { name: spelling.rows[0]!.name, versions: versions.rows, installs: { items: installs, total: total.rows[0]!.n } };
  }

  /** For each test: the devices with at least one package whose name it holds for. */
  async deviceCounts(tests: readonly S.ProhibitedTest[], any?: S.ProhibitedTest): Promise<number[]> {
    if (tests.length === 0) return [];
    const names = await this.allNames();
    // One pass with all patterns finds the few candidate names; only those are tested one by one.
    const candidates = any ? names.filter(any) : names;
    const counts: number[] = [];
    for (const test of tests) {
      const matched = candidates.filter(test).map((n) => n.toLowerCase());
      if (matched.length === 0) counts.push(0);
      else {
        const r = await this.pool.query<{ n: number }>(
          // A device IT allowed to keep a name (an approved exception) is not counted for it.
          `SELECT count(DISTINCT device_id) AS n FROM software s WHERE lower(name) = ANY($1::text[])
           AND NOT EXISTS (SELECT 1 FROM prohibited_exemptions e WHERE e.device_id = s.device_id AND e.name = lower(s.name))`,
          [matched],
        );
        counts.push(r.rows[0]!.n);
      }
    }
    return counts;
  }

  async listProhibited(): Promise<S.ProhibitedRecord[]> {
    const r = await this.pool.query<{ pattern: string; created_at: number }>(
      'SELECT pattern, created_at FROM prohibited_software ORDER BY created_at, lower(pattern) COLLATE "C"',
    );
    return r.rows.map((p) => ({ pattern: p.pattern, createdAt: p.created_at }));
  }

  /** 'Steam*' and 'steam*' are one pattern, kept as first written. */
  async addProhibited(pattern: string, at: number): Promise<boolean> {
    const r = await this.pool.query(
      'INSERT INTO prohibited_software (pattern, created_at) VALUES ($1, $2) ON CONFLICT ((lower(pattern))) DO NOTHING',
      [pattern, at],
    );
    return r.rowCount === 1;
  }

  async removeProhibited(pattern: string): Promise<boolean> {
    return (await this.pool.query('DELETE FROM prohibited_software WHERE lower(pattern) = lower($1)', [pattern])).rowCount === 1;
  }

  private async allNames(): Promise<string[]> {
    return (await this.pool.query<{ name: string }>('SELECT name FROM software_names')).rows.map((r) => r.name);
  }
}
