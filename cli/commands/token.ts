import { z } from 'zod';
import { OutpostError } from '../../shared/errors.js';
import { createEnrolmentTokenInDataDir } from '../../server/store/tokens.js';
import { SERVER_SETTINGS, resolveSettings } from '../config.js';

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "30m", "12h", "7d" -> milliseconds. */
export function parseDuration(text: string): number {
  const m = /^(\d{1,6})([mhd])$/.exec(text.trim());
  if (!m) throw new OutpostError('E_CONFIG', `--expires ${text}: use a number and a unit, e.g. 30m, 12h, 7d`);
  return Number(m[1]) * UNITS[m[2]!]!;
}

export async function tokenCreateCommand(flags: Record<string, unknown>): Promise<void> {
  const { data } = resolveSettings({ data: SERVER_SETTINGS.data }, flags);
  const expiresInMs = parseDuration(typeof flags.expires === 'string' ? flags.expires : '7d');
  let uses: number | undefined;
  if (flags.uses !== undefined) {
    const parsed = z.coerce.number().int().min(1).max(1_000_000).safeParse(flags.uses);
    if (!parsed.success) throw new OutpostError('E_CONFIG', `--uses ${JSON.stringify(flags.uses)}: must be a whole number from 1`);
    uses = parsed.data;
  }
  const token = await createEnrolmentTokenInDataDir(data, { expiresInMs, ...(uses ? { uses } : {}) });
  console.log(token);
}
