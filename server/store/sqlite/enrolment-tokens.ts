// Enrolment tokens as the console and the CLI manage them: listed and revoked by their public id.
import type Database from 'better-sqlite3';
import type { EnrolmentTokenRecord, StoredEnrolmentToken } from '../store.js';

/** A token row on either engine (revoked is 0/1 in SQLite, a boolean in PostgreSQL). */
export interface TokenRow {
  id: string;
  label: string | null;
  created_at: number;
  expires_at: number | null;
  uses_left: number | null;
  used: number;
  revoked: number | boolean;
}

export const TOKEN_COLUMNS = 'id, label, created_at, expires_at, uses_left, used, revoked';

export function toToken(r: TokenRow): StoredEnrolmentToken {
  return {
    id: r.id,
    label: r.label,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    usesLeft: r.uses_left,
    used: r.used,
    revoked: r.revoked === true || r.revoked === 1,
  };
}

export class EnrolmentTokens {
  constructor(private readonly db: Database.Database) {}

  add(token: EnrolmentTokenRecord): void {
    this.db
      .prepare('INSERT INTO enrolment_tokens (id, label, hash, created_at, expires_at, uses_left) VALUES (?, ?, ?, ?, ?, ?)')
      .run(token.id, token.label, token.hash, token.createdAt, token.expiresAt, token.usesLeft);
  }

  list(limit: number): StoredEnrolmentToken[] {
    const rows = this.db
      .prepare<[number], TokenRow>(`SELECT ${TOKEN_COLUMNS} FROM enrolment_tokens ORDER BY created_at DESC, id LIMIT ?`)
      .all(limit);
    return rows.map(toToken);
  }

  get(id: string): StoredEnrolmentToken | null {
    const row = this.db.prepare<[string], TokenRow>(`SELECT ${TOKEN_COLUMNS} FROM enrolment_tokens WHERE id = ?`).get(id);
    return row ? toToken(row) : null;
  }

  revoke(id: string): StoredEnrolmentToken | null {
    return this.db.transaction(() => {
      this.db.prepare('UPDATE enrolment_tokens SET revoked = 1 WHERE id = ?').run(id);
      return this.get(id);
    })();
  }
}
