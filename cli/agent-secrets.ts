// The agent's enrolment token and pinned CA, from the settings resolved in config.ts. A token given
// with --token is readable by every local user in the process list, so it is still accepted (scripts
// rely on it) but warned about; --token-file, OUTPOST_ENROL_TOKEN or the config file keep it private.
import { readFileSync, statSync } from 'node:fs';
import { OutpostError } from '../shared/errors.js';

export interface AgentSecretSettings {
  token?: string | undefined;
  tokenFile?: string | undefined;
  caFile?: string | undefined;
  ca?: string | undefined;
}

export interface AgentSecrets {
  token?: string;
  /** PEM: the only CA trusted for wss:// when set. */
  ca?: string;
}

/** One line each, on stderr: warnings a person installing the agent should see. */
export type Warn = (line: string) => void;

export function agentSecrets(settings: AgentSecretSettings, flags: Record<string, unknown>, warn: Warn): AgentSecrets {
  if (flags.token !== undefined) {
    warn('outpost: warning: --token is visible to every local user in the process list; use --token-file or OUTPOST_ENROL_TOKEN instead');
  }
  const out: AgentSecrets = {};
  const token = settings.token ?? (settings.tokenFile ? readTokenFile(settings.tokenFile, warn) : undefined);
  if (token) out.token = token;
  const ca = settings.ca ?? (settings.caFile ? readCaFile(settings.caFile) : undefined);
  if (ca) out.ca = ca;
  return out;
}

function readText(path: string, label: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new OutpostError('E_CONFIG', `${label} ${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

function readTokenFile(path: string, warn: Warn): string {
  const token = readText(path, '--token-file').trim();
  if (token.length < 16 || /\s/.test(token))
    throw new OutpostError('E_CONFIG', `--token-file ${path}: must hold one enrolment token (16 characters or more)`);
  // Windows has no POSIX modes; its installer sets the file's ACL instead.
  if (process.platform !== 'win32' && (statSync(path).mode & 0o077) !== 0) {
    warn(`outpost: warning: --token-file ${path} can be read by other accounts; chmod 600 it`);
  }
  return token;
}

function readCaFile(path: string): string {
  const pem = readText(path, '--ca-file');
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new OutpostError('E_CONFIG', `--ca-file ${path}: not a PEM certificate`);
  return pem;
}
