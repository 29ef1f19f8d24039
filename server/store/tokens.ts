// Enrolment tokens: handed to agents once, so that they can obtain their own device secret.
import { randomBytes } from 'node:crypto';
import { OutpostError } from '../../shared/errors.js';
import type { EnrolmentTokenJson } from '../../shared/http-api.js';
import { openStore, type StoreLocation } from './open-store.js';
import { hashSecret, newSecret } from './secrets.js';
import type { Store, StoredEnrolmentToken } from './store.js';

export interface EnrolmentTokenOptions {
  /** How long the token stays valid; default 7 days. */
  expiresInMs?: number;
  /** How many devices may enrol with it; default unlimited (one token for a whole rollout). */
  uses?: number;
  /** What it is for ("Berlin office rollout"), shown in lists. */
  label?: string;
}

export interface IssuedEnrolmentToken {
  /** Shown once: only its hash is stored. */
  token: string;
  record: StoredEnrolmentToken;
}

export type EnrolmentTokenState = EnrolmentTokenJson['state'];

export const DEFAULT_TOKEN_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000;
const MAX_TOKEN_LIFETIME_MS = 10 * 365 * 24 * 60 * 60 * 1000;
export const MAX_TOKEN_LABEL = 100;
/** Tokens a list shows, newest first. */
export const TOKEN_LIST_LIMIT = 500;
/** What a label may not hold. */
// eslint-disable-next-line no-control-regex
export const LABEL_CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

/** Creates a token, stores only its hash and returns the token itself (shown once) with its record. */
export async function issueEnrolmentTokenRecord(
  store: Store,
  opts: EnrolmentTokenOptions = {},
  now = Date.now(),
): Promise<IssuedEnrolmentToken> {
  const lifetime = opts.expiresInMs ?? DEFAULT_TOKEN_LIFETIME_MS;
  if (!Number.isFinite(lifetime) || lifetime <= 0 || lifetime > MAX_TOKEN_LIFETIME_MS) {
    throw new OutpostError('E_CONFIG', 'Token lifetime must be a positive duration of at most 10 years.');
  }
  if (opts.uses !== undefined && (!Number.isInteger(opts.uses) || opts.uses < 1)) {
    throw new OutpostError('E_CONFIG', 'Token uses must be a whole number of at least 1.');
  }
  const label = cleanLabel(opts.label);
  const token = newSecret();
  const record: StoredEnrolmentToken = {
    id: randomBytes(8).toString('hex'),
    label,
    createdAt: now,
    expiresAt: now + lifetime,
    usesLeft: opts.uses ?? null,
    used: 0,
    revoked: false,
  };
  await store.addEnrolmentToken({
    id: record.id,
    label,
    hash: hashSecret(token),
    createdAt: now,
    expiresAt: record.expiresAt,
    usesLeft: record.usesLeft,
  });
  return { token, record };
}

/** Creates a token and returns only the token (shown once). */
export async function issueEnrolmentToken(store: Store, opts: EnrolmentTokenOptions = {}, now = Date.now()): Promise<string> {
  return (await issueEnrolmentTokenRecord(store, opts, now)).token;
}

/** Revoked wins over expired, expired over used up. */
export function tokenState(token: StoredEnrolmentToken, now: number): EnrolmentTokenState {
  if (token.revoked) return 'revoked';
  if (token.expiresAt !== null && token.expiresAt <= now) return 'expired';
  if (token.usesLeft !== null && token.usesLeft <= 0) return 'used-up';
  return 'active';
}

const iso = (ms: number) => new Date(ms).toISOString();

/** A token as the API and `outpost token list --json` show it (never its hash). */
export function enrolmentTokenJson(t: StoredEnrolmentToken, now: number): EnrolmentTokenJson {
  return {
    id: t.id,
    label: t.label,
    createdAt: iso(t.createdAt),
    expiresAt: t.expiresAt === null ? null : iso(t.expiresAt),
    usesLeft: t.usesLeft,
    used: t.used,
    state: tokenState(t, now),
  };
}

function cleanLabel(label: string | undefined): string | null {
  if (label === undefined) return null;
  const trimmed = label.trim();
  if (trimmed.length > MAX_TOKEN_LABEL) throw new OutpostError('E_CONFIG', `A token label is at most ${MAX_TOKEN_LABEL} characters.`);
  if (LABEL_CONTROL_CHARS.test(trimmed)) throw new OutpostError('E_CONFIG', 'A token label cannot hold control characters.');
  return trimmed === '' ? null : trimmed;
}

/** Where a CLI command finds the store: a data directory (SQLite), or a data directory and --store. */
export type StoreArg = string | StoreLocation;

/** Opens the store for one CLI command: works beside a running server (SQLite WAL and busy timeout; PostgreSQL). */
async function withDataDir<T>(where: StoreArg, run: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(typeof where === 'string' ? { dataDir: where } : where);
  try {
    return await run(store);
  } finally {
    await store.close();
  }
}

/** For `outpost token create --data DIR`. */
export async function createEnrolmentTokenInDataDir(dataDir: StoreArg, opts?: EnrolmentTokenOptions): Promise<string> {
  return withDataDir(dataDir, (store) => issueEnrolmentToken(store, opts));
}

/** For `outpost token list --data DIR`. */
export async function listEnrolmentTokensInDataDir(dataDir: StoreArg): Promise<StoredEnrolmentToken[]> {
  return withDataDir(dataDir, (store) => store.listEnrolmentTokens(TOKEN_LIST_LIMIT));
}

/** For `outpost token revoke ID --data DIR`: null for an unknown id. */
export async function revokeEnrolmentTokenInDataDir(dataDir: StoreArg, id: string): Promise<StoredEnrolmentToken | null> {
  return withDataDir(dataDir, (store) => store.revokeEnrolmentToken(id));
}

/** For `outpost package --data DIR`: the token and its record (id, expiry) for the settings files. */
export async function issueEnrolmentTokenInDataDir(dataDir: StoreArg, opts?: EnrolmentTokenOptions): Promise<IssuedEnrolmentToken> {
  return withDataDir(dataDir, (store) => issueEnrolmentTokenRecord(store, opts));
}
