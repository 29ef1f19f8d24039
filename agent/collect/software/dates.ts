// Install dates arrive as ISO time stamps (macOS), YYYYMMDD (Windows Installer), M/D/YYYY (WMI) or
// Windows FILETIME hex (old WMI hotfix rows). All become YYYY-MM-DD; anything else is left absent
// rather than guessed, since 03/04/2021 means two different days depending on the locale.

/** YYYY-MM-DD for a real calendar day in a plausible range, else undefined. */
export function ymd(year: number, month: number, day: number): string | undefined {
  if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day)) return undefined;
  if (year < 1980 || year > 2200) return undefined;
  const d = new Date(Date.UTC(year, month - 1, day));
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return undefined;
  return d.toISOString().slice(0, 10);
}

/** "2024-02-26T05:47:45Z" or "2024-02-26" -> "2024-02-26" (the UTC day, as the tools print it). */
export function dateFromIso(text: string | undefined): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:$|T)/.exec(text?.trim() ?? '');
  return m ? ymd(Number(m[1]), Number(m[2]), Number(m[3])) : undefined;
}

/** Windows Installer's "20211019" -> "2021-10-19"; also accepts an ISO date, which some installers write. */
export function dateFromCompact(text: string | undefined): string | undefined {
  const t = text?.trim() ?? '';
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(t);
  return m ? ymd(Number(m[1]), Number(m[2]), Number(m[3])) : dateFromIso(t);
}

/** WMI's "3/18/2014" (month first whatever the machine's language) -> "2014-03-18". */
export function dateFromMonthDayYear(text: string | undefined): string | undefined {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text?.trim() ?? '');
  return m ? ymd(Number(m[3]), Number(m[1]), Number(m[2])) : undefined;
}

const FILETIME_EPOCH_OFFSET_MS = 11_644_473_600_000; // 1601-01-01 to 1970-01-01

/** A FILETIME written as 16 hex digits ("01cc3d4b2d8d6000"), as some Win32_QuickFixEngineering rows hold. */
export function dateFromFiletimeHex(text: string | undefined): string | undefined {
  const t = text?.trim() ?? '';
  if (!/^[0-9a-fA-F]{15,16}$/.test(t)) return undefined;
  const ms = Number(BigInt(`0x${t}`) / 10_000n) - FILETIME_EPOCH_OFFSET_MS;
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? undefined : ymd(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
}
