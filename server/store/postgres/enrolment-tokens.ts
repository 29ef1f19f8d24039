// Enrolment tokens as the console and the CLI manage them, and the admin token's hash, in PostgreSQL.
import type pg from 'pg';
import { TOKEN_COLUMNS, toToken, type TokenRow } from '../sqlite/enrolment-tokens.js';
import type { EnrolmentTokenRecord, StoredEnrolmentToken } from '../store.js';

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
    const r = await this.pool.query<TokenRow>(`SELECT ${TOKEN_COLUMNS} FROM enrolment_tokens ORDER BY created_at DESC, id LIMIT $1`, [
      limit,
    ]);
    return r.rows.map(toToken);
  }

  async get(id: string): Promise<StoredEnrolmentToken | null> {
    const r = await this.pool.query<TokenRow>(`SELECT ${TOKEN_COLUMNS} FROM enrolment_tokens WHERE id = $1`, [id]);
    return r.rows[0] ? toToken(r.rows[0]) : null;
  }

  async revoke(id: string): Promise<StoredEnrolmentToken | null> {
    const r = await this.pool.query<TokenRow>(`UPDATE enrolment_tokens SET revoked = true WHERE id = $1 RETURNING ${TOKEN_COLUMNS}`, [id]);
    return r.rows[0] ? toToken(r.rows[0]) : null;
  }
}
