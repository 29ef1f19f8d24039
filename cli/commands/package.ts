// `outpost package --data DIR --server URL`: a fresh enrolment token for one fleet, written as each
// OS's enrolment settings (deb/rpm agent.json, Windows installer command and token file, macOS
// profile) under --out, one folder per OS. Works beside a running server, like `token create`.
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { enrolmentFiles } from '../../server/enrolment/files.js';
import { enrolmentTokenJson, issueEnrolmentTokenInDataDir } from '../../server/store/tokens.js';
import { OutpostError } from '../../shared/errors.js';
import { SERVER_SETTINGS, resolveSettings } from '../config.js';
import { parseDuration } from './token.js';

const ServerUrl = z
  .string()
  .regex(
    /^https?:\/\/[A-Za-z0-9.:[\]-]+(?::\d{1,5})?\/?$/,
    'must be the http:// or https:// address agents reach the server at, e.g. https://outpost.example.org',
  );

export interface PackageFlags {
  data?: string;
  store?: string;
  server?: string;
  label?: string;
  expires?: string;
  uses?: string;
  caFile?: string;
  out?: string;
}

export async function packageCommand(flags: PackageFlags): Promise<void> {
  const where = resolveSettings({ data: SERVER_SETTINGS.data, store: SERVER_SETTINGS.store }, flags as Record<string, unknown>);
  const data = { dataDir: where.data, store: where.store };
  const server = ServerUrl.safeParse(flags.server ?? '');
  if (!server.success)
    throw new OutpostError('E_CONFIG', `--server ${JSON.stringify(flags.server ?? '')}: ${server.error.issues[0]?.message ?? 'invalid'}`);
  const uses = flags.uses === undefined ? undefined : z.coerce.number().int().min(1).max(1_000_000).safeParse(flags.uses);
  if (uses && !uses.success) throw new OutpostError('E_CONFIG', `--uses ${JSON.stringify(flags.uses)}: must be a whole number from 1`);
  const caPem = flags.caFile ? readCa(flags.caFile) : undefined;
  const { token, record } = await issueEnrolmentTokenInDataDir(data, {
    expiresInMs: parseDuration(flags.expires ?? '7d'),
    ...(uses?.data ? { uses: uses.data } : {}),
    ...(flags.label ? { label: flags.label } : {}),
  });
  const listed = enrolmentTokenJson(record, Date.now());
  const out = resolve(flags.out ?? 'outpost-enrolment');
  const files = enrolmentFiles({
    serverUrl: server.data.replace(/\/$/, ''),
    token,
    tokenId: listed.id,
    expiresAt: listed.expiresAt,
    ...(listed.label ? { label: listed.label } : {}),
    ...(caPem ? { caPem } : {}),
  });
  for (const f of files) {
    mkdirSync(join(out, f.os), { recursive: true, mode: 0o700 });
    const path = join(out, f.os, f.name);
    writeFileSync(path, f.content, { mode: f.mode });
    chmodSync(path, f.mode);
    console.log(`${path}\n    ${f.description}`);
  }
  console.log(
    `Enrolment token ${listed.id}${listed.label ? ` (${listed.label})` : ''}, expires ${listed.expiresAt ?? 'never'}: these files hold it, keep them as you would a password.`,
  );
}

function readCa(path: string): string {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (err) {
    throw new OutpostError('E_CONFIG', `--ca-file ${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new OutpostError('E_CONFIG', `--ca-file ${path}: not a PEM certificate`);
  return pem;
}
