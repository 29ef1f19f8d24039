// How numbers, sizes and times read in the console. Pure: `now` is passed in where it matters.
const numberFormat = new Intl.NumberFormat('en-US');

export function formatCount(n: number): string {
  return numberFormat.format(n);
}

/** "1–50 of 9,812", "0 of 0" for an empty list. */
export function rangeText(offset: number, shown: number, total: number): string {
  if (shown === 0) return `0 of ${formatCount(total)}`;
  return `${formatCount(offset + 1)}–${formatCount(offset + shown)} of ${formatCount(total)}`;
}

const UNITS = ['bytes', 'KB', 'MB', 'GB', 'TB', 'PB'];

/** Binary multiples with the units people read on their machines: 16 GB, 512 GB. */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return '—';
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  const text = value.toFixed(digits).replace(/\.0$/, '');
  return `${text} ${UNITS[unit]}`;
}

/** "just now", "5 min ago", "3 h ago", "4 days ago"; an absolute date beyond 30 days. */
export function relativeTime(iso: string, now: number): string {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return '—';
  const seconds = Math.round((now - at) / 1000);
  if (seconds < 0) return formatDateTime(iso);
  if (seconds < 60) return 'just now';
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.floor(hours / 24);
  if (days <= 30) return days === 1 ? '1 day ago' : `${days} days ago`;
  return formatDate(iso);
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** Local time, unambiguous in every locale: 2025-01-02 14:05. */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  return `${formatDate(iso)} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

export function formatMinutes(minutes: number): string {
  if (minutes < 60) return `${minutes} min`;
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

const PLATFORM_NAMES: Record<string, string> = {
  linux: 'Linux',
  darwin: 'macOS',
  win32: 'Windows',
  windows: 'Windows',
  freebsd: 'FreeBSD',
  other: 'Other',
};

/** "macOS" for darwin, "Windows" for win32 or windows; an unknown platform as it is. */
export function platformName(platform: string): string {
  return PLATFORM_NAMES[platform] ?? platform;
}

/** "Debian GNU/Linux 12" from what the agent knows; the platform alone when that is all. */
export function osName(os: { platform: string; distro?: string | undefined; release?: string | undefined } | null): string {
  if (!os) return '—';
  const name = os.distro ?? platformName(os.platform);
  return [name, os.release].filter(Boolean).join(' ');
}

/** A desk schedule in words: "24h" -> "Every 24 h", "1d" -> "Every 1 day", "on-demand" -> "Only on request". */
export function scheduleText(schedule: string): string {
  if (schedule === 'on-demand') return 'Only on request';
  const m = /^(\d+)(s|m|h|d)$/.exec(schedule);
  if (!m) return schedule;
  const unit = { s: 's', m: 'min', h: 'h', d: m[1] === '1' ? 'day' : 'days' }[m[2] as 's' | 'm' | 'h' | 'd'];
  return `Every ${m[1]} ${unit}`;
}
