// Settings come from, strongest first: command-line flags, environment, a JSON config file, defaults.
// Every bad setting is one line naming the setting and where it came from.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { OutpostError } from '../shared/errors.js';

type Source = 'flag' | 'env' | 'file' | 'default';
export interface SettingSpec<T> {
  schema: z.ZodType<T>;
  flag?: string;
  env?: string;
  file?: string;
  default?: T;
}

const port = z.coerce
  .number({ error: 'must be a port number from 0 to 65535' })
  .int('must be a port number from 0 to 65535')
  .min(0, 'must be a port number from 0 to 65535')
  .max(65535, 'must be a port number from 0 to 65535');
const nonEmpty = z.string().trim().min(1);
const count = z.coerce
  .number({ error: 'must be a whole number from 1 to 1000000' })
  .int('must be a whole number from 1 to 1000000')
  .min(1, 'must be a whole number from 1 to 1000000')
  .max(1_000_000, 'must be a whole number from 1 to 1000000');
const serverUrl = z
  .string()
  .trim()
  .refine((s) => /^(wss?|https?):\/\/[^/\s]+/i.test(s), 'must be a ws://, wss://, http:// or https:// URL');

// The store: the SQLite file in the data directory (default, "sqlite"), or a PostgreSQL database.
const storeSetting = z
  .string()
  .trim()
  .refine((s) => s === 'sqlite' || /^postgres(ql)?:\/\/\S+$/i.test(s), 'must be sqlite or a postgres:// URL');

export const SERVER_SETTINGS = {
  host: { schema: nonEmpty, flag: '--host', env: 'OUTPOST_HOST', file: 'host', default: '127.0.0.1' },
  port: { schema: port, flag: '--port', env: 'OUTPOST_PORT', file: 'port', default: 7040 },
  data: { schema: nonEmpty, flag: '--data', env: 'OUTPOST_DATA_DIR', file: 'data', default: './data' },
  store: { schema: storeSetting.optional(), flag: '--store', env: 'OUTPOST_STORE', file: 'store' },
  adminToken: { schema: z.string().min(16, 'must be at least 16 characters').optional(), env: 'OUTPOST_ADMIN_TOKEN', file: 'adminToken' },
  // Unauthenticated agent connections (see server/ingest/pre-auth.ts); unset means the defaults.
  preAuthPerAddress: {
    schema: count.optional(),
    flag: '--pre-auth-per-address',
    env: 'OUTPOST_PREAUTH_PER_ADDRESS',
    file: 'preAuthPerAddress',
  },
  preAuthTotal: { schema: count.optional(), flag: '--pre-auth-total', env: 'OUTPOST_PREAUTH_TOTAL', file: 'preAuthTotal' },
  authTimeoutMs: {
    schema: z.coerce.number().int().min(100, 'must be at least 100 ms').max(600_000, 'must be at most 600000 ms').optional(),
    env: 'OUTPOST_AUTH_TIMEOUT_MS',
    file: 'authTimeoutMs',
  },
  // The TCP accept queue: a reconnect storm overflows a short one (the OS caps it at somaxconn).
  listenBacklog: {
    schema: z.coerce.number().int().min(16, 'must be at least 16').max(65_535, 'must be at most 65535').optional(),
    env: 'OUTPOST_LISTEN_BACKLOG',
    file: 'listenBacklog',
  },
  tlsCert: { schema: nonEmpty.optional(), flag: '--tls-cert', env: 'OUTPOST_TLS_CERT', file: 'tlsCert' },
  tlsKey: { schema: nonEmpty.optional(), flag: '--tls-key', env: 'OUTPOST_TLS_KEY', file: 'tlsKey' },
} satisfies Record<string, SettingSpec<unknown>>;

export const AGENT_SETTINGS = {
  server: { schema: serverUrl, flag: '--server', env: 'OUTPOST_SERVER', file: 'server' },
  token: {
    schema: z.string().min(16, 'must be at least 16 characters').optional(),
    flag: '--token',
    env: 'OUTPOST_ENROL_TOKEN',
    file: 'token',
  },
  // Read only when no token is given itself: keeps the token out of `ps` and shell history.
  tokenFile: { schema: nonEmpty.optional(), flag: '--token-file', env: 'OUTPOST_ENROL_TOKEN_FILE', file: 'tokenFile' },
  // A pinned CA for wss:// (PEM file, or the PEM itself as "ca" in the config file); else the system's.
  caFile: { schema: nonEmpty.optional(), flag: '--ca-file', env: 'OUTPOST_CA_FILE', file: 'caFile' },
  ca: { schema: z.string().includes('-----BEGIN CERTIFICATE-----', { message: 'must be a PEM certificate' }).optional(), file: 'ca' },
  state: { schema: nonEmpty.optional(), flag: '--state', env: 'OUTPOST_STATE_DIR', file: 'state' },
} satisfies Record<string, SettingSpec<unknown>>;

type Resolved<S extends Record<string, SettingSpec<unknown>>> = {
  [K in keyof S]: S[K] extends SettingSpec<infer T> ? T : never;
};

/** Resolves every setting of `specs`; throws one OutpostError('E_CONFIG') naming the first bad one. */
export function resolveSettings<S extends Record<string, SettingSpec<unknown>>>(
  specs: S,
  flags: Record<string, unknown>,
  env: NodeJS.ProcessEnv = process.env,
): Resolved<S> {
  const file = readConfigFile(typeof flags.config === 'string' ? flags.config : env.OUTPOST_CONFIG);
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(specs)) {
    const [value, source, label] = pick(key, spec, flags, env, file);
    if (value === undefined && spec.default === undefined && !spec.schema.safeParse(undefined).success) {
      throw new OutpostError('E_CONFIG', `${labelFor(key, spec)} is required`);
    }
    const parsed = spec.schema.safeParse(value ?? spec.default);
    if (!parsed.success) {
      throw new OutpostError('E_CONFIG', `${label} (from ${source}): ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    }
    out[key] = parsed.data;
  }
  return out as Resolved<S>;
}

function pick(
  key: string,
  spec: SettingSpec<unknown>,
  flags: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
  file: Record<string, unknown>,
): [unknown, Source, string] {
  if (spec.flag && flags[key] !== undefined) return [flags[key], 'flag', spec.flag];
  if (spec.env && env[spec.env] !== undefined && env[spec.env] !== '') return [env[spec.env], 'env', spec.env];
  if (spec.file && file[spec.file] !== undefined) return [file[spec.file], 'file', `"${spec.file}" in the config file`];
  return [undefined, 'default', labelFor(key, spec)];
}

function labelFor(key: string, spec: SettingSpec<unknown>): string {
  return [spec.flag, spec.env].filter(Boolean).join(' / ') || key;
}

/** Where each desk setting comes from: flag, environment, or the config file's "desk" object. */
const DESK_FIELDS = [
  { key: 'kind', flag: 'desk', env: 'OUTPOST_DESK' },
  { key: 'url', flag: 'deskUrl', env: 'OUTPOST_DESK_URL' },
  { key: 'user', flag: 'deskUser', env: 'OUTPOST_DESK_USER' },
  { key: 'auth', flag: 'deskAuth', env: 'OUTPOST_DESK_AUTH' },
  { key: 'pollSeconds', flag: 'deskPoll', env: 'OUTPOST_DESK_POLL', number: true },
  { key: 'approvalPollMinutes', flag: 'deskApprovalPoll', env: 'OUTPOST_DESK_APPROVAL_POLL', number: true },
  { key: 'requesterDomain', flag: 'deskRequesterDomain', env: 'OUTPOST_DESK_REQUESTER_DOMAIN' },
  { key: 'fallbackRequester', flag: 'deskFallbackRequester', env: 'OUTPOST_DESK_FALLBACK_REQUESTER' },
  { key: 'secretFile', flag: 'deskSecretFile', env: 'OUTPOST_DESK_SECRET_FILE' },
] as const;

/**
 * The desk settings (unvalidated: server/desk/sync/settings.ts checks them), or undefined when no
 * desk is configured. The secret comes from OUTPOST_DESK_SECRET or a file, never a flag value or
 * the config file itself, so it is not in argv, shell history or a config that gets shared.
 */
export function resolveDeskSettings(
  flags: Record<string, unknown>,
  env: NodeJS.ProcessEnv = process.env,
): Record<string, unknown> | undefined {
  const file = readConfigFile(typeof flags.config === 'string' ? flags.config : env.OUTPOST_CONFIG).desk;
  if (file !== undefined && (file === null || typeof file !== 'object' || Array.isArray(file))) {
    throw new OutpostError('E_CONFIG', '"desk" in the config file must be an object');
  }
  const fromFile = (file ?? {}) as Record<string, unknown>;
  if ('secret' in fromFile)
    throw new OutpostError('E_CONFIG', '"desk.secret" is not read from the config file: use desk.secretFile or OUTPOST_DESK_SECRET');
  const out: Record<string, unknown> = { ...fromFile };
  for (const f of DESK_FIELDS) {
    const value = flags[f.flag] ?? (env[f.env] ? env[f.env] : undefined);
    if (value !== undefined) out[f.key] = 'number' in f && typeof value === 'string' ? Number(value) : value;
  }
  if (out.kind === undefined) return undefined;
  const secretFile = out.secretFile;
  delete out.secretFile;
  if (env.OUTPOST_DESK_SECRET) out.secret = env.OUTPOST_DESK_SECRET;
  else if (typeof secretFile === 'string') out.secret = readSecretFile(secretFile);
  else throw new OutpostError('E_CONFIG', '--desk-secret-file / OUTPOST_DESK_SECRET_FILE or OUTPOST_DESK_SECRET is required with --desk');
  return out;
}

/** The config file's "quotas" object (checked by the server against its schema), or undefined. */
export function resolveQuotaSettings(
  flags: Record<string, unknown>,
  env: NodeJS.ProcessEnv = process.env,
): Record<string, unknown> | undefined {
  const quotas = readConfigFile(typeof flags.config === 'string' ? flags.config : env.OUTPOST_CONFIG).quotas;
  if (quotas === undefined) return undefined;
  if (quotas === null || typeof quotas !== 'object' || Array.isArray(quotas))
    throw new OutpostError('E_CONFIG', '"quotas" in the config file must be an object');
  return quotas as Record<string, unknown>;
}

function readSecretFile(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (err) {
    throw new OutpostError('E_CONFIG', `--desk-secret-file ${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

function readConfigFile(path: string | undefined): Record<string, unknown> {
  if (!path) return {};
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new OutpostError('E_CONFIG', `--config ${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    const data: unknown = JSON.parse(text);
    if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new Error('not an object');
    return data as Record<string, unknown>;
  } catch {
    throw new OutpostError('E_CONFIG', `--config ${path}: not a JSON object`);
  }
}
