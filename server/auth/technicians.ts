// Desk technicians as console users: RT privileged users / SDP technicians sign in with their desk
// password, checked by the desk's connector at each sign-in. A technician gets a console account
// (source "desk", no Outpost password) at the first sign-in when the settings allow it, or when an
// admin imports them; either way the seat limit counts them and refuses the next one.
import { OutpostError } from '../../shared/errors.js';
import type { Role } from '../../shared/roles.js';
import type { DeskTechnician } from '../desk/connector.js';
import { DeskError } from '../desk/errors.js';
import type { AdminRecord, AdminStore } from '../store/admin-records.js';
import { isValidUsername } from './accounts.js';

/** The desk as the console's sign-in sees it (a connector's optional methods). */
export interface TechnicianDesk {
  /** Absent when the connector cannot check a desk password. */
  verify?(username: string, password: string): Promise<boolean>;
  /** Absent when the connector cannot look technicians up. */
  find?(username: string): Promise<DeskTechnician | null>;
}

export type TechnicianSignIn =
  | { ok: true; admin: AdminRecord }
  /** Wrong password, not a technician, or technicians may not sign in: the one answer for all. */
  | { ok: false; error: 'bad-credentials' }
  | { ok: false; error: OutpostError };

export function seatLimitError(seats: number): OutpostError {
  return new OutpostError(
    'E_SEAT_LIMIT',
    `All ${seats} console seat${seats === 1 ? '' : 's'} for desk technicians are taken. An Outpost admin can raise the seat limit or remove a technician (Users page).`,
  );
}

/**
 * Tries `username` as a desk technician after the local password did not match. `existing` is the
 * account of that name, if any: a local account never signs in through the desk.
 */
export async function signInTechnician(
  admins: AdminStore,
  desk: TechnicianDesk | null,
  existing: AdminRecord | null,
  username: string,
  password: string,
  now: number,
): Promise<TechnicianSignIn> {
  if (!desk?.verify || !isValidUsername(username)) return { ok: false, error: 'bad-credentials' };
  if (existing && existing.source !== 'desk') return { ok: false, error: 'bad-credentials' };
  const settings = await admins.getConsoleSettings();
  if (!existing && !settings.deskSignIn) return { ok: false, error: 'bad-credentials' };
  let valid: boolean;
  try {
    valid = await desk.verify(username, password);
  } catch (err) {
    const detail = err instanceof DeskError ? err.message : 'the desk did not answer';
    return {
      ok: false,
      error: new OutpostError('E_DESK_UNREACHABLE', `The service desk could not check this sign-in: ${detail}`.slice(0, 300)),
    };
  }
  if (!valid) return { ok: false, error: 'bad-credentials' };
  if (existing) return { ok: true, admin: existing };
  const added = await admins.addTechnician(username, settings.technicianRole, settings.seats, now);
  if (added === 'seats-full') return { ok: false, error: seatLimitError(settings.seats) };
  const admin = await admins.getAdmin(username);
  return admin ? { ok: true, admin } : { ok: false, error: 'bad-credentials' };
}

export type TechnicianImport = { ok: true; admin: AdminRecord } | { ok: false; error: OutpostError };

/** An admin adds a technician the desk knows, before their first sign-in. */
export async function importTechnician(
  admins: AdminStore,
  desk: TechnicianDesk | null,
  username: string,
  role: Role | undefined,
  now: number,
): Promise<TechnicianImport> {
  if (!desk?.find)
    return { ok: false, error: new OutpostError('E_DESK_UNSUPPORTED', 'The configured desk (or none) cannot look technicians up.') };
  if (!isValidUsername(username)) {
    return { ok: false, error: new OutpostError('E_BAD_REQUEST', 'A console username is 1 to 64 letters, digits and . _ @ -.') };
  }
  let found: DeskTechnician | null;
  try {
    found = await desk.find(username);
  } catch (err) {
    return {
      ok: false,
      error: new OutpostError(
        err instanceof DeskError ? err.code : 'E_DESK_UNREACHABLE',
        err instanceof Error ? err.message : 'The desk did not answer.',
      ),
    };
  }
  if (!found) return { ok: false, error: new OutpostError('E_NOT_FOUND', `The service desk has no technician named ${username}.`) };
  const settings = await admins.getConsoleSettings();
  const added = await admins.addTechnician(username, role ?? settings.technicianRole, settings.seats, now);
  if (added === 'seats-full') return { ok: false, error: seatLimitError(settings.seats) };
  if (added === 'exists') return { ok: false, error: new OutpostError('E_CONFLICT', `A console user named ${username} already exists.`) };
  const admin = await admins.getAdmin(username);
  if (!admin) throw new Error(`The technician ${username} was added but cannot be read back.`);
  return { ok: true, admin };
}
