// Admin accounts: creating them, changing a password, and checking a sign-in.
import { OutpostError } from '../../shared/errors.js';
import type { AdminRecord, AdminStore } from '../store/admin-records.js';
import { DUMMY_HASH, hashPassword, verifyPassword, type ScryptParams } from './passwords.js';

export const USERNAME_MAX_CHARS = 64;
// ASCII only: the store compares usernames ignoring ASCII case, and look-alike letters stay out.
const USERNAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@-]*$/;

export function isValidUsername(username: string): boolean {
  return username.length <= USERNAME_MAX_CHARS && USERNAME_PATTERN.test(username);
}

/** Throws E_CONFIG for a name that cannot be an admin's. */
export function checkUsername(username: string): void {
  if (!isValidUsername(username)) {
    throw new OutpostError(
      'E_CONFIG',
      `Username "${username.slice(0, USERNAME_MAX_CHARS)}": use 1 to ${USERNAME_MAX_CHARS} letters, digits and . _ @ - (starting with a letter or digit).`,
    );
  }
}

export function adminExistsError(username: string): OutpostError {
  return new OutpostError(
    'E_CONFLICT',
    `An admin named ${username} already exists; "outpost admin passwd ${username}" changes the password.`,
  );
}

export function noSuchAdminError(username: string): OutpostError {
  return new OutpostError('E_NOT_FOUND', `No admin named ${username.slice(0, USERNAME_MAX_CHARS)}; "outpost admin create" adds one.`);
}

/** Throws E_CONFIG for a bad username, E_WEAK_PASSWORD, or E_CONFLICT when the name is taken. */
export async function createAdminAccount(
  store: AdminStore,
  username: string,
  password: string,
  now: number,
  params?: ScryptParams,
): Promise<void> {
  checkUsername(username);
  const hash = await hashPassword(password, params);
  if (!(await store.createAdmin(username, hash, now))) throw adminExistsError(username);
}

/** Also signs that admin out everywhere. Throws E_WEAK_PASSWORD, or E_NOT_FOUND for an unknown admin. */
export async function changeAdminPassword(
  store: AdminStore,
  username: string,
  password: string,
  now: number,
  params?: ScryptParams,
): Promise<void> {
  const hash = await hashPassword(password, params);
  if (!(await store.setPassword(username, hash, now))) throw noSuchAdminError(username);
}

export interface CredentialCheck {
  /** The admin when the password is right, else null. */
  admin: AdminRecord | null;
  /** Whether the username names an admin: for the log only, never for the answer. */
  known: boolean;
}

/**
 * An unknown or malformed username still costs one full hash (against DUMMY_HASH), so the time
 * taken does not tell whether the username exists.
 */
export async function checkCredentials(store: AdminStore, username: string, password: string): Promise<CredentialCheck> {
  const found = isValidUsername(username) ? await store.getAdmin(username) : null;
  const ok = await verifyPassword(password, found?.passwordHash ?? DUMMY_HASH);
  return { admin: ok ? found : null, known: found !== null };
}
