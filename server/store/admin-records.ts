// The web console's storage contract: admin accounts and their browser sessions. Passwords arrive
// already hashed (server/auth/passwords.ts) and sessions by the sha256 of their id, so the store never
// holds anything that signs someone in.

export interface AdminRecord {
  /** As first written; lookups ignore ASCII case. */
  username: string;
  /** The self-describing scrypt string. */
  passwordHash: string;
  /** Epoch ms. */
  createdAt: number;
  updatedAt: number;
}

export interface AdminSession {
  /** The admin's username as stored. */
  username: string;
  /** The synchronizer token the console sends back as x-csrf-token. */
  csrfToken: string;
  /** Epoch ms. */
  createdAt: number;
  /** Epoch ms: the session ends then unless used again (never later than createdAt + maxAgeMs). */
  expiresAt: number;
}

export interface NewAdminSession {
  /** sha256 of the random session id the cookie carries. */
  idHash: Buffer;
  username: string;
  csrfToken: string;
  now: number;
}

export interface SessionPolicy {
  /** A session unused this long ends (sliding). */
  idleMs: number;
  /** A session ends this long after sign-in however much it is used. */
  maxAgeMs: number;
}

export const SESSION_POLICY: SessionPolicy = { idleMs: 8 * 60 * 60 * 1000, maxAgeMs: 7 * 24 * 60 * 60 * 1000 };

export interface AdminStore {
  /** False when an admin of that name (in any case) exists; nothing changes then. */
  createAdmin(username: string, passwordHash: string, now: number): Promise<boolean>;
  /** False when there is no such admin. Ends every session of that admin: a new password signs out everywhere. */
  setPassword(username: string, passwordHash: string, now: number): Promise<boolean>;
  getAdmin(username: string): Promise<AdminRecord | null>;
  countAdmins(): Promise<number>;

  /** The username must be an existing admin's. */
  createSession(session: NewAdminSession): Promise<AdminSession>;
  /** The live session with this id hash, its expiry slid forward by the idle time; null when unknown or expired. */
  getSession(idHash: Buffer, now: number): Promise<AdminSession | null>;
  deleteSession(idHash: Buffer): Promise<void>;
  /** Removes sessions that have ended; returns how many. */
  deleteExpiredSessions(now: number): Promise<number>;
}
