// Admin accounts and browser sessions in SQLite (schema: migrations.ts, admins and admin_sessions).
import type Database from 'better-sqlite3';
import {
  SESSION_POLICY,
  type AdminRecord,
  type AdminSession,
  type AdminStore,
  type NewAdminSession,
  type SessionPolicy,
} from '../admin-records.js';

interface AdminRow {
  username: string;
  password_hash: string;
  created_at: number;
  updated_at: number;
}

interface SessionRow {
  username: string;
  csrf_token: string;
  created_at: number;
  expires_at: number;
}

/**
 * Every authenticated console request slides its session's expiry; writing only when it would move
 * by more than this keeps a busy console from turning each read into a write. The idle timeout is
 * then exact to within a minute.
 */
const SLIDE_STEP_MS = 60_000;

export class SqliteAdminStore implements AdminStore {
  private readonly insertAdmin: Database.Statement;
  private readonly updatePassword: Database.Statement;
  private readonly endSessionsOf: Database.Statement;
  private readonly selectAdmin: Database.Statement;
  private readonly countRows: Database.Statement;
  private readonly insertSession: Database.Statement;
  private readonly selectSession: Database.Statement;
  private readonly slideSession: Database.Statement;
  private readonly removeSession: Database.Statement;
  private readonly removeExpired: Database.Statement;

  constructor(
    private readonly db: Database.Database,
    private readonly policy: SessionPolicy = SESSION_POLICY,
  ) {
    this.insertAdmin = db.prepare(`
      INSERT INTO admins (username, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?)
      ON CONFLICT(username) DO NOTHING`);
    this.updatePassword = db.prepare('UPDATE admins SET password_hash = ?, updated_at = ? WHERE username = ?');
    // admin_sessions.username has the default (binary) collation; admins' own is NOCASE.
    this.endSessionsOf = db.prepare('DELETE FROM admin_sessions WHERE username = ? COLLATE NOCASE');
    this.selectAdmin = db.prepare('SELECT username, password_hash, created_at, updated_at FROM admins WHERE username = ?');
    this.countRows = db.prepare('SELECT count(*) AS n FROM admins').pluck();
    this.insertSession = db.prepare(`
      INSERT INTO admin_sessions (id_hash, username, csrf_token, created_at, expires_at)
      SELECT ?, username, ?, ?, ? FROM admins WHERE username = ?
      RETURNING username`);
    this.selectSession = db.prepare('SELECT username, csrf_token, created_at, expires_at FROM admin_sessions WHERE id_hash = ?');
    this.slideSession = db.prepare('UPDATE admin_sessions SET expires_at = ? WHERE id_hash = ?');
    this.removeSession = db.prepare('DELETE FROM admin_sessions WHERE id_hash = ?');
    this.removeExpired = db.prepare('DELETE FROM admin_sessions WHERE expires_at <= ?');
  }

  async createAdmin(username: string, passwordHash: string, now: number): Promise<boolean> {
    return this.insertAdmin.run(username, passwordHash, now, now).changes === 1;
  }

  async setPassword(username: string, passwordHash: string, now: number): Promise<boolean> {
    return this.db.transaction(() => {
      const changed = this.updatePassword.run(passwordHash, now, username).changes === 1;
      if (changed) this.endSessionsOf.run(username);
      return changed;
    })();
  }

  async getAdmin(username: string): Promise<AdminRecord | null> {
    const row = this.selectAdmin.get(username) as AdminRow | undefined;
    return row ? { username: row.username, passwordHash: row.password_hash, createdAt: row.created_at, updatedAt: row.updated_at } : null;
  }

  async countAdmins(): Promise<number> {
    return this.countRows.get() as number;
  }

  async createSession(session: NewAdminSession): Promise<AdminSession> {
    const expiresAt = session.now + Math.min(this.policy.idleMs, this.policy.maxAgeMs);
    const row = this.insertSession.get(session.idHash, session.csrfToken, session.now, expiresAt, session.username) as
      { username: string } | undefined;
    if (!row) throw new Error(`No admin named ${session.username} to open a session for.`);
    return { username: row.username, csrfToken: session.csrfToken, createdAt: session.now, expiresAt };
  }

  async getSession(idHash: Buffer, now: number): Promise<AdminSession | null> {
    const row = this.selectSession.get(idHash) as SessionRow | undefined;
    if (!row) return null;
    if (row.expires_at <= now) {
      this.removeSession.run(idHash);
      return null;
    }
    const slid = Math.min(now + this.policy.idleMs, row.created_at + this.policy.maxAgeMs);
    let expiresAt = row.expires_at;
    if (slid - expiresAt > SLIDE_STEP_MS) {
      this.slideSession.run(slid, idHash);
      expiresAt = slid;
    }
    return { username: row.username, csrfToken: row.csrf_token, createdAt: row.created_at, expiresAt };
  }

  async deleteSession(idHash: Buffer): Promise<void> {
    this.removeSession.run(idHash);
  }

  async deleteExpiredSessions(now: number): Promise<number> {
    return this.removeExpired.run(now).changes;
  }
}
