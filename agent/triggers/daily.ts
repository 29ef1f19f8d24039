// When "daily at HH:MM local time" next happens. Built from local calendar fields rather than by
// adding 24 h, so a DST change moves the gap, not the wall-clock time. Per ECMAScript, a time that
// does not exist (spring forward) maps to the same offset later (02:30 -> 03:30), and a time that
// happens twice (fall back) maps to its first occurrence, so a scan runs once that day either way.

/** Parses "HH:MM" (00:00-23:59); undefined when the text is not such a time. */
export function parseDailyTime(text: string): { hour: number; minute: number } | undefined {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  return m ? { hour: Number(m[1]), minute: Number(m[2]) } : undefined;
}

/** The first moment strictly after `nowMs` whose local time is hour:minute. */
export function nextDailyAt(nowMs: number, at: { hour: number; minute: number }): number {
  const now = new Date(nowMs);
  const today = new Date(now.getFullYear(), now.getMonth(), now.getDate(), at.hour, at.minute).getTime();
  if (today > nowMs) return today;
  return new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1, at.hour, at.minute).getTime();
}
