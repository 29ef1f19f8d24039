// `outpost token create|list|revoke --data DIR`: enrolment tokens, straight on the server's data
// directory (SQLite WAL), so they work whether or not the server is running.
import { printable } from '../printable.js';
import { z } from 'zod';
import { OutpostError } from '../../shared/errors.js';
import type { StoredEnrolmentToken } from '../../server/store/store.js';
import {
  createEnrolmentTokenInDataDir,
  enrolmentTokenJson,
  listEnrolmentTokensInDataDir,
  revokeEnrolmentTokenInDataDir,
  tokenState,
} from '../../server/store/tokens.js';
import { SERVER_SETTINGS, resolveSettings } from '../config.js';

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "30m", "12h", "7d" -> milliseconds. */
export function parseDuration(text: string): number {
  const m = /^(\d{1,6})([mhd])$/.exec(text.trim());
  if (!m) throw new OutpostError('E_CONFIG', `--expires ${text}: use a number and a unit, e.g. 30m, 12h, 7d`);
  return Number(m[1]) * UNITS[m[2]!]!;
}

/** The data directory, and the PostgreSQL store when the server uses one. */
const dataDir = (flags: Record<string, unknown>) => {
  const { data, store } = resolveSettings({ data: SERVER_SETTINGS.data, store: SERVER_SETTINGS.store }, flags);
  return { dataDir: data, store };
};

export async function tokenCreateCommand(flags: Record<string, unknown>): Promise<void> {
  const data = dataDir(flags);
  const expiresInMs = parseDuration(typeof flags.expires === 'string' ? flags.expires : '7d');
  let uses: number | undefined;
  if (flags.uses !== undefined) {
    const parsed = z.coerce.number().int().min(1).max(1_000_000).safeParse(flags.uses);
    if (!parsed.success) throw new OutpostError('E_CONFIG', `--uses ${JSON.stringify(flags.uses)}: must be a whole number from 1`);
    uses = parsed.data;
  }
  const label = typeof flags.label === 'string' ? flags.label : undefined;
  const token = await createEnrolmentTokenInDataDir(data, {
    expiresInMs,
    ...(uses ? { uses } : {}),
    ...(label !== undefined ? { label } : {}),
  });
  console.log(token);
}

/** One line per token, newest first: id, state, uses, expiry, label. Never the token itself (only its hash is kept). */
export function formatTokens(tokens: readonly StoredEnrolmentToken[], now: number): string[] {
  if (tokens.length === 0) return ['No enrolment tokens.'];
  const rows = tokens.map((t) => [
    t.id,
    tokenState(t, now),
    t.usesLeft === null ? `${t.used} used` : `${t.used} used, ${t.usesLeft} left`,
    t.expiresAt === null ? 'never expires' : `expires ${new Date(t.expiresAt).toISOString().slice(0, 16).replace('T', ' ')}Z`,
    printable(t.label ?? ''),
  ]);
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((r) => r[col]!.length)));
  return rows.map((r) =>
    r
      .map((cell, col) => (col === r.length - 1 ? cell : cell.padEnd(widths[col]!)))
      .join('  ')
      .trimEnd(),
  );
}

export async function tokenListCommand(flags: Record<string, unknown>): Promise<void> {
  const tokens = await listEnrolmentTokensInDataDir(dataDir(flags));
  const now = Date.now();
  if (flags.json) {
    // The shape GET /api/tokens answers with.
    console.log(JSON.stringify({ items: tokens.map((t) => enrolmentTokenJson(t, now)) }));
    return;
  }
  for (const line of formatTokens(tokens, now)) console.log(line);
}

export async function tokenRevokeCommand(id: string, flags: Record<string, unknown>): Promise<void> {
  const revoked = await revokeEnrolmentTokenInDataDir(dataDir(flags), id);
  if (!revoked) throw new OutpostError('E_NOT_FOUND', `No enrolment token with id ${JSON.stringify(id)}; see "outpost token list".`);
  console.log(`Token ${revoked.id} revoked: no device can enrol with it any more.`);
}
