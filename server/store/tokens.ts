// Enrolment tokens: handed to agents once, so that they can obtain their own device secret.
import { OutpostError } from '../../shared/errors.js';
import { SqliteStore } from './sqlite/sqlite-store.js';
import { hashSecret, newSecret } from './secrets.js';
import type { Store } from './store.js';

export interface EnrolmentTokenOptions {
  /** How long the token stays valid; default 7 days. */
  expiresInMs?: number;
  /** How many devices may enrol with it; default unlimited (one token for a whole rollout). */
  uses?: number;
}

export const DEFAULT_TOKEN_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000;
const MAX_TOKEN_LIFETIME_MS = 10 * 365 * 24 * 60 * 60 * 1000;

/** Creates a token, stores only its hash and returns the token itself (shown once). */
export async function issueEnrolmentToken(store: Store, opts: EnrolmentTokenOptions = {}, now = Date.now()): Promise<string> {
  const lifetime = opts.expiresInMs ?? DEFAULT_TOKEN_LIFETIME_MS;
  if (!Number.isFinite(lifetime) || lifetime <= 0 || lifetime > MAX_TOKEN_LIFETIME_MS) {
    throw new OutpostError('E_CONFIG', 'Token lifetime must be a positive duration of at most 10 years.');
  }
  if (opts.uses !== undefined && (!Number.isInteger(opts.uses) || opts.uses < 1)) {
    throw new OutpostError('E_CONFIG', 'Token uses must be a whole number of at least 1.');
  }
  const token = newSecret();
  await store.addEnrolmentToken({ hash: hashSecret(token), createdAt: now, expiresAt: now + lifetime, usesLeft: opts.uses ?? null });
  return token;
}

/** For `outpost token create --data DIR`: works beside a running server (SQLite WAL, busy timeout). */
export async function createEnrolmentTokenInDataDir(dataDir: string, opts?: EnrolmentTokenOptions): Promise<string> {
  const store = SqliteStore.open(dataDir);
  try {
    return await issueEnrolmentToken(store, opts);
  } finally {
    await store.close();
  }
}
