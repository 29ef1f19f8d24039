// Enrolment tokens as the console and the CLI manage them, and the admin token's hash, in PostgreSQL.
import type pg from 'pg';
import type { EnrolmentTokenRecord, StoredEnrolmentToken } from '../store.js';

interface TokenRow {
  id: string;
  label: string | null;
  created_at: number;
  expires_at: number | null;
  uses_left: number | null;
  used: number;
  revoked: boolean;
}

const COLUMNS = 'id, label, created_at, expires_at, uses_left, used, revoked';

function toToken(r: TokenRow): StoredEnrolmentToken {
  return {
    id: r.id,
    label: r.label,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    usesLeft: r.uses_left,
    used: r.used,
    revoked: r.revoked,
  };
}

export class PgTokens {
  constructor(private readonly pool: pg.Pool) {}

  async adminTokenHash(): Promise<Buffer | null> {
    const r = await this.pool.query<{ value: string }>("SELECT value FROM meta WHERE key = 'admin_token_sha256'");
    return r.rows[0] ? Buffer.from(r.rows[0].value, 'hex') : null;
  }

  async setAdminTokenHash(hash: Buffer): Promise<void> {
    await this.pool.query(
      "INSERT INTO meta (key, value) VALUES ('admin_token_sha256', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      [hash.toString('hex')],
    );
  }

  async add(token: EnrolmentTokenRecord): Promise<void> {
    await this.pool.query(
      'INSERT INTO enrolment_tokens (id, label, hash, created_at, expires_at, uses_left) VALUES ($1, $2, $3, $4, $5, $6)',
      [token.id, token.label, token.hash, token.createdAt, token.expiresAt, token.usesLeft],
    );
  }

  async list(limit: number): Promise<StoredEnrolmentToken[]> {
    const r = await this.pool.query<TokenRow>(`SELECT ${COLUMNS} FROM enrolment_tokens ORDER BY created_at DESC, id LIMIT $1`, [limit]);
    return r.rows.map(toToken);
  }

  async get(id: string): Promise<StoredEnrolmentToken | null> {
    const r = await this.pool.query<TokenRow>(`SELECT ${COLUMNS} FROM enrolment_tokens WHERE id = $1`, [id]);
    return r.rows[0] ? toToken(r.rows[0]) : null;
  }

  async revoke(id: string): Promise<StoredEnrolmentToken | null> {
    const r = await this.pool.query<TokenRow>(`UPDATE enrolment_tokens SET revoked = true WHERE id = $1 RETURNING ${COLUMNS}`, [id]);
    return r.rows[0] ? toToken(r.rows[0]) : null;
  }
}
