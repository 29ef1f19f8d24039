// The web console's storage contract: console accounts (local admins and desk technicians, each
// with a role), their browser sessions, and the console's settings (desk sign-in, seats). Passwords arrive
// already hashed (server/auth/passwords.ts) and sessions by the sha256 of their id, so the store never
// holds anything that signs someone in.
import type { AccountSource, ConsoleSettings, Role } from '../../shared/roles.js';

export interface AdminRecord {
  /** As first written; lookups ignore ASCII case. */
  username: string;
  /** The self-describing scrypt string; NO_LOCAL_PASSWORD for a technician who signs in through the desk. */
  passwordHash: string;
  role: Role;
  source: AccountSource;
  /** Epoch ms. */
  createdAt: number;
  updatedAt: number;
}

export interface AdminSession {
  /** The admin's username as stored. */
  username: string;
  /** The account's role now (a role changed while signed in takes effect at the next request). */
  role: Role;
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

/** Stored instead of a password hash: no password matches it (it is not a hash). */
export const NO_LOCAL_PASSWORD = '!desk';

export type AccountChange = 'ok' | 'not-found' | 'last-admin';
export type TechnicianAdded = 'created' | 'exists' | 'seats-full';

export interface AdminStore {
  /** False when an admin of that name (in any case) exists; nothing changes then. Role admin unless given. */
  createAdmin(username: string, passwordHash: string, now: number, role?: Role): Promise<boolean>;
  /**
   * Adds a desk technician (no local password) unless `seats` technicians exist already: the count
   * and the insert are one transaction, so two sign-ins at once cannot both take the last seat.
   */
  addTechnician(username: string, role: Role, seats: number, now: number): Promise<TechnicianAdded>;
  /** Every account, by username. */
  listAdmins(): Promise<AdminRecord[]>;
  countTechnicians(): Promise<number>;
  /** Refused ('last-admin') when it would leave no account with role admin. */
  setRole(username: string, role: Role, now: number): Promise<AccountChange>;
  /** Removes the account and ends its sessions; refused ('last-admin') for the last admin. */
  deleteAdmin(username: string): Promise<AccountChange>;
  getConsoleSettings(): Promise<ConsoleSettings>;
  setConsoleSettings(settings: ConsoleSettings): Promise<void>;
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
