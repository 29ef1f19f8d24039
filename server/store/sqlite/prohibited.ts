// Prohibited-software patterns added in the web console (the server's settings may hold more).
import type Database from 'better-sqlite3';
import type { ProhibitedRecord } from '../store.js';

export class ProhibitedPatterns {
  constructor(private readonly db: Database.Database) {}

  list(): ProhibitedRecord[] {
    return this.db
      .prepare<[], { pattern: string; created_at: number }>(
        'SELECT pattern, created_at FROM prohibited_software ORDER BY created_at, pattern',
      )
      .all()
      .map((r) => ({ pattern: r.pattern, createdAt: r.created_at }));
  }

  /** The column is NOCASE: 'Steam*' and 'steam*' are one pattern, kept as first written. */
  add(pattern: string, at: number): boolean {
    return (
      this.db
        .prepare('INSERT INTO prohibited_software (pattern, created_at) VALUES (?, ?) ON CONFLICT(pattern) DO NOTHING')
        .run(pattern, at).changes === 1
    );
  }

  remove(pattern: string): boolean {
    return this.db.prepare('DELETE FROM prohibited_software WHERE pattern = ?').run(pattern).changes === 1;
  }
}
