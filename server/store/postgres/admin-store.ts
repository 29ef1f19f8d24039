// Console users and their sessions in PostgreSQL (the AdminStore contract, admin-records.ts).
// Usernames are compared in any case (lower(), as SQLite's NOCASE). The rules that count accounts
// (the seat limit, never the last admin) take one advisory lock, so two server processes signing
// people in at once cannot both take the last seat or both demote the last admin.
import type pg from 'pg';
import type { ConsoleSettings, Role } from '../../../shared/roles.js';
import {
  NO_LOCAL_PASSWORD,
  SESSION_POLICY,
  type AccountChange,
  type AdminRecord,
  type AdminSession,
  type AdminStore,
  type SessionPolicy,
  type TechnicianAdded,
} from '../admin-records.js';
import { readConsoleSettings, SLIDE_STEP_MS, toAdminRecord, type AdminRow } from '../admin-rows.js';
import { inTransaction, type Queryable } from './tx.js';

interface SessionRow {
  username: string;
  role: Role;
  csrf_token: string;
  created_at: number;
  expires_at: number;
}

const ADMIN_COLUMNS = 'username, password_hash, role, source, created_at, updated_at';
const ACCOUNTS_LOCK = "SELECT pg_advisory_xact_lock(hashtext('outpost.accounts'))";

async function adminRow(db: Queryable, username: string): Promise<AdminRow | undefined> {
  return (await db.query<AdminRow>(`SELECT ${ADMIN_COLUMNS} FROM admins WHERE lower(username) = lower($1)`, [username])).rows[0];
}

async function count(db: Queryable, where: string): Promise<number> {
  return (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM admins WHERE ${where}`)).rows[0]!.n;
}

async function insertAdmin(db: Queryable, username: string, hash: string, role: Role, source: string, now: number): Promise<boolean> {
  const r = await db.query(`INSERT INTO admins (${ADMIN_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT DO NOTHING`, [
    username,
    hash,
    role,
    source,
    now,
  ]);
  return r.rowCount === 1;
}

const endSessionsOf = (db: Queryable, username: string) =>
  db.query('DELETE FROM admin_sessions WHERE lower(username) = lower($1)', [username]);

export function createPgAdminStore(pool: pg.Pool, policy: SessionPolicy = SESSION_POLICY): AdminStore {
  const locked = <T>(work: (db: Queryable) => Promise<T>) =>
    inTransaction(pool, async (client) => {
      await client.query(ACCOUNTS_LOCK);
      return work(client);
    });

  return {
    createAdmin: (username, passwordHash, now, role = 'admin') => insertAdmin(pool, username, passwordHash, role, 'local', now),

    addTechnician: (username, role, seats, now) =>
      locked(async (db): Promise<TechnicianAdded> => {
        if (await adminRow(db, username)) return 'exists';
        if ((await count(db, "source = 'desk'")) >= seats) return 'seats-full';
        await insertAdmin(db, username, NO_LOCAL_PASSWORD, role, 'desk', now);
        return 'created';
      }),

    async listAdmins(): Promise<AdminRecord[]> {
      const rows = await pool.query<AdminRow>(`SELECT ${ADMIN_COLUMNS} FROM admins ORDER BY lower(username) COLLATE "C"`);
      return rows.rows.map(toAdminRecord);
    },
    countTechnicians: () => count(pool, "source = 'desk'"),

    setRole: (username, role, now) =>
      locked(async (db): Promise<AccountChange> => {
        const row = await adminRow(db, username);
        if (!row) return 'not-found';
        if (row.role === 'admin' && role !== 'admin' && (await count(db, "role = 'admin'")) <= 1) return 'last-admin';
        await db.query('UPDATE admins SET role = $1, updated_at = $2 WHERE username = $3', [role, now, row.username]);
        return 'ok';
      }),

    deleteAdmin: (username) =>
      locked(async (db): Promise<AccountChange> => {
        const row = await adminRow(db, username);
        if (!row) return 'not-found';
        if (row.role === 'admin' && (await count(db, "role = 'admin'")) <= 1) return 'last-admin';
        await endSessionsOf(db, row.username);
        await db.query('DELETE FROM admins WHERE username = $1', [row.username]);
        return 'ok';
      }),

    async getConsoleSettings(): Promise<ConsoleSettings> {
      const row = await pool.query<{ value: string }>("SELECT value FROM console_settings WHERE key = 'console'");
      return readConsoleSettings(row.rows[0]?.value);
    },
    async setConsoleSettings(settings) {
      await pool.query(
        "INSERT INTO console_settings (key, value) VALUES ('console', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [JSON.stringify(settings)],
      );
    },

    setPassword: (username, passwordHash, now) =>
      inTransaction(pool, async (db) => {
        const r = await db.query('UPDATE admins SET password_hash = $1, updated_at = $2 WHERE lower(username) = lower($3)', [
          passwordHash,
          now,
          username,
        ]);
        if (r.rowCount !== 1) return false;
        await endSessionsOf(db, username);
        return true;
      }),
    async getAdmin(username) {
      const row = await adminRow(pool, username);
      return row ? toAdminRecord(row) : null;
    },
    countAdmins: () => count(pool, 'true'),

    async createSession(session): Promise<AdminSession> {
      const expiresAt = session.now + Math.min(policy.idleMs, policy.maxAgeMs);
      const row = await pool.query<{ username: string; role: Role }>(
        `WITH a AS (SELECT username, role FROM admins WHERE lower(username) = lower($5)),
         s AS (INSERT INTO admin_sessions (id_hash, username, csrf_token, created_at, expires_at)
               SELECT $1, username, $2, $3, $4 FROM a RETURNING username)
         SELECT s.username, a.role FROM s JOIN a ON a.username = s.username`,
        [session.idHash, session.csrfToken, session.now, expiresAt, session.username],
      );
      const opened = row.rows[0];
      if (!opened) throw new Error(`No admin named ${session.username} to open a session for.`);
      return { username: opened.username, role: opened.role, csrfToken: session.csrfToken, createdAt: session.now, expiresAt };
    },

    async getSession(idHash, now) {
      const found = await pool.query<SessionRow>(
        `SELECT s.username, a.role, s.csrf_token, s.created_at, s.expires_at
         FROM admin_sessions s JOIN admins a ON a.username = s.username WHERE s.id_hash = $1`,
        [idHash],
      );
      const row = found.rows[0];
      if (!row) return null;
      if (row.expires_at <= now) {
        await pool.query('DELETE FROM admin_sessions WHERE id_hash = $1', [idHash]);
        return null;
      }
      const slid = Math.min(now + policy.idleMs, row.created_at + policy.maxAgeMs);
      let expiresAt = row.expires_at;
      if (slid - expiresAt > SLIDE_STEP_MS) {
        // Never backwards: another process may have slid it further meanwhile.
        await pool.query('UPDATE admin_sessions SET expires_at = GREATEST(expires_at, $1) WHERE id_hash = $2', [slid, idHash]);
        expiresAt = slid;
      }
      return { username: row.username, role: row.role, csrfToken: row.csrf_token, createdAt: row.created_at, expiresAt };
    },
    async deleteSession(idHash) {
      await pool.query('DELETE FROM admin_sessions WHERE id_hash = $1', [idHash]);
    },
    async deleteExpiredSessions(now) {
      return (await pool.query('DELETE FROM admin_sessions WHERE expires_at <= $1', [now])).rowCount ?? 0;
    },
  };
}
