// Admin rows and console settings as both engines read them (sqlite/admin-store.ts,
// postgres/admin-store.ts): one mapping, so the engines cannot drift apart.
import { DEFAULT_CONSOLE_SETTINGS, ROLES, type AccountSource, type ConsoleSettings, type Role } from '../../shared/roles.js';
import type { AdminRecord } from './admin-records.js';

export interface AdminRow {
  username: string;
  password_hash: string;
  role: Role;
  source: AccountSource;
  created_at: number;
  updated_at: number;
}

/**
 * Every authenticated console request slides its session's expiry; writing only when it would move
 * by more than this keeps a busy console from turning each read into a write. The idle timeout is
 * then exact to within a minute.
 */
export const SLIDE_STEP_MS = 60_000;

export function toAdminRecord(row: AdminRow): AdminRecord {
  return {
    username: row.username,
    passwordHash: row.password_hash,
    role: row.role,
    source: row.source,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Settings written by this version (JSON, or nothing saved yet); anything unreadable falls back to the defaults field by field. */
export function readConsoleSettings(json: string | undefined): ConsoleSettings {
  let value: Partial<ConsoleSettings> = {};
  try {
    if (json !== undefined) value = JSON.parse(json) as Partial<ConsoleSettings>;
  } catch {
    // defaults below
  }
  const d = DEFAULT_CONSOLE_SETTINGS;
  return {
    deskSignIn: typeof value.deskSignIn === 'boolean' ? value.deskSignIn : d.deskSignIn,
    seats: Number.isSafeInteger(value.seats) && value.seats! >= 0 ? value.seats! : d.seats,
    technicianRole: ROLES.includes(value.technicianRole as Role) ? value.technicianRole! : d.technicianRole,
  };
}
