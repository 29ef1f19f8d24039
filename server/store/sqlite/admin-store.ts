// Admin accounts and browser sessions in SQLite (schema: migrations.ts, admins and admin_sessions).
import type Database from 'better-sqlite3';
import type { ConsoleSettings, Role } from '../../../shared/roles.js';
import { readConsoleSettings, SLIDE_STEP_MS, toAdminRecord, type AdminRow } from '../admin-rows.js';
import {
  NO_LOCAL_PASSWORD,
  SESSION_POLICY,
  type AccountChange,
  type AdminRecord,
  type TechnicianAdded,
  type AdminSession,
  type AdminStore,
  type NewAdminSession,
  type SessionPolicy,
} from '../admin-records.js';

interface SessionRow {
  username: string;
  role: Role;
  csrf_token: string;
  created_at: number;
  expires_at: number;
}

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
      INSERT INTO admins (username, password_hash, role, source, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT(username) DO NOTHING`);
    this.updatePassword = db.prepare('UPDATE admins SET password_hash = ?, updated_at = ? WHERE username = ?');
    // admin_sessions.username has the default (binary) collation; admins' own is NOCASE.
    this.endSessionsOf = db.prepare('DELETE FROM admin_sessions WHERE username = ? COLLATE NOCASE');
    this.selectAdmin = db.prepare('SELECT username, password_hash, role, source, created_at, updated_at FROM admins WHERE username = ?');
    this.countRows = db.prepare('SELECT count(*) AS n FROM admins').pluck();
    this.insertSession = db.prepare(`
      INSERT INTO admin_sessions (id_hash, username, csrf_token, created_at, expires_at)
      SELECT ?, username, ?, ?, ? FROM admins WHERE username = ?
      RETURNING username, (SELECT role FROM admins a WHERE a.username = admin_sessions.username) AS role`);
    this.selectSession = db.prepare(
      'SELECT s.username, a.role, s.csrf_token, s.created_at, s.expires_at FROM admin_sessions s JOIN admins a ON a.username = s.username WHERE s.id_hash = ?',
    );
    this.slideSession = db.prepare('UPDATE admin_sessions SET expires_at = ? WHERE id_hash = ?');
    this.removeSession = db.prepare('DELETE FROM admin_sessions WHERE id_hash = ?');
    this.removeExpired = db.prepare('DELETE FROM admin_sessions WHERE expires_at <= ?');
  }

  async createAdmin(username: string, passwordHash: string, now: number, role: Role = 'admin'): Promise<boolean> {
    return this.insertAdmin.run(username, passwordHash, role, 'local', now, now).changes === 1;
  }

  async addTechnician(username: string, role: Role, seats: number, now: number): Promise<TechnicianAdded> {
    return this.db
      .transaction((): TechnicianAdded => {
        if (this.selectAdmin.get(username)) return 'exists';
        if (this.technicianCount() >= seats) return 'seats-full';
        this.insertAdmin.run(username, NO_LOCAL_PASSWORD, role, 'desk', now, now);
        return 'created';
      })
      .immediate();
  }

  async listAdmins(): Promise<AdminRecord[]> {
    const rows = this.db
      .prepare('SELECT username, password_hash, role, source, created_at, updated_at FROM admins ORDER BY username')
      .all() as AdminRow[];
    return rows.map(toAdminRecord);
  }

  async countTechnicians(): Promise<number> {
    return this.technicianCount();
  }

  async setRole(username: string, role: Role, now: number): Promise<AccountChange> {
    return this.db
      .transaction((): AccountChange => {
        const row = this.selectAdmin.get(username) as AdminRow | undefined;
        if (!row) return 'not-found';
        if (row.role === 'admin' && role !== 'admin' && this.adminCount() <= 1) return 'last-admin';
        this.db.prepare('UPDATE admins SET role = ?, updated_at = ? WHERE username = ?').run(role, now, username);
        return 'ok';
      })
      .immediate();
  }

  async deleteAdmin(username: string): Promise<AccountChange> {
    return this.db
      .transaction((): AccountChange => {
        const row = this.selectAdmin.get(username) as AdminRow | undefined;
        if (!row) return 'not-found';
        if (row.role === 'admin' && this.adminCount() <= 1) return 'last-admin';
        this.endSessionsOf.run(username);
        this.db.prepare('DELETE FROM admins WHERE username = ?').run(username);
        return 'ok';
      })
      .immediate();
  }

  async getConsoleSettings(): Promise<ConsoleSettings> {
    const row = this.db.prepare("SELECT value FROM console_settings WHERE key = 'console'").pluck().get() as string | undefined;
    return readConsoleSettings(row);
  }

  async setConsoleSettings(settings: ConsoleSettings): Promise<void> {
    this.db
      .prepare("INSERT INTO console_settings (key, value) VALUES ('console', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
      .run(JSON.stringify(settings));
  }

  private technicianCount(): number {
    return this.db.prepare("SELECT count(*) FROM admins WHERE source = 'desk'").pluck().get() as number;
  }

  private adminCount(): number {
    return this.db.prepare("SELECT count(*) FROM admins WHERE role = 'admin'").pluck().get() as number;
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
    return row ? toAdminRecord(row) : null;
  }

  async countAdmins(): Promise<number> {
    return this.countRows.get() as number;
  }

  async createSession(session: NewAdminSession): Promise<AdminSession> {
    const expiresAt = session.now + Math.min(this.policy.idleMs, this.policy.maxAgeMs);
    const row = this.insertSession.get(session.idHash, session.csrfToken, session.now, expiresAt, session.username) as
      { username: string; role: Role } | undefined;
    if (!row) throw new Error(`No admin named ${session.username} to open a session for.`);
    return { username: row.username, role: row.role, csrfToken: session.csrfToken, createdAt: session.now, expiresAt };
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
    return { username: row.username, role: row.role, csrfToken: row.csrf_token, createdAt: row.created_at, expiresAt };
  }

  async deleteSession(idHash: Buffer): Promise<void> {
    this.removeSession.run(idHash);
  }

  async deleteExpiredSessions(now: number): Promise<number> {
    return this.removeExpired.run(now).changes;
  }
}
