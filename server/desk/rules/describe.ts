// The words of an asset-event ticket: a one-line subject and a plain-text description with what was
// found, where, when, and the item's fields. Names come from endpoints, so control characters are
// flattened (a package name cannot add lines to a subject) and both texts have a length limit.

export const TEXT_LIMITS = { subject: 200, description: 8000, fieldValue: 300, listed: 200 } as const;

/** One line, no control characters, at most `max` characters (cut with an ellipsis). */
export function oneLine(text: string, max: number): string {
  const flat = text
    // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Any field value as text: scalars as they are, objects as JSON, nothing as ''. */
export function show(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value) ?? '';
}

export interface Where {
  deviceId: string;
  hostname: string;
  detectedAt?: string;
}

export function subjectLine(title: string, hostname: string, what: string): string {
  return oneLine(`${title} on ${hostname}: ${what}`, TEXT_LIMITS.subject);
}

function fieldLines(fields: Record<string, unknown>): string[] {
  return Object.entries(fields)
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `  ${k}: ${oneLine(show(v), TEXT_LIMITS.fieldValue)}`);
}

/** The description of an event about one item. `facts` are extra "Label: value" lines. */
export function itemDescription(
  headline: string,
  where: Where,
  facts: Record<string, string | undefined>,
  fields: Record<string, unknown>,
): string {
  const lines = [
    headline,
    '',
    `Device: ${oneLine(where.hostname, TEXT_LIMITS.fieldValue)} (Outpost device ${where.deviceId})`,
    ...(where.detectedAt ? [`Detected: ${where.detectedAt}`] : []),
    ...Object.entries(facts)
      .filter((e): e is [string, string] => e[1] !== undefined)
      .map(([label, value]) => `${label}: ${oneLine(value, TEXT_LIMITS.fieldValue)}`),
  ];
  const details = fieldLines(fields);
  if (details.length) lines.push('', 'Details:', ...details);
  return cut(lines.join('\n'), TEXT_LIMITS.description);
}

/** The description of a summary event that stands for many items found at once. */
export function summaryDescription(headline: string, where: Where, labels: readonly string[]): string {
  const shown = labels.slice(0, TEXT_LIMITS.listed).map((l) => `  - ${oneLine(l, TEXT_LIMITS.fieldValue)}`);
  const more = labels.length - shown.length;
  return cut(
    [
      headline,
      '',
      `Device: ${oneLine(where.hostname, TEXT_LIMITS.fieldValue)} (Outpost device ${where.deviceId})`,
      ...(where.detectedAt ? [`Detected: ${where.detectedAt}`] : []),
      '',
      ...shown,
      ...(more > 0 ? [`  ... and ${more} more`] : []),
    ].join('\n'),
    TEXT_LIMITS.description,
  );
}

/** Decimal units, as disk makers and OS file managers show sizes: 1.0 TB, 255.0 GB; undefined for no size. */
export function decimalSize(bytes: unknown): string | undefined {
  if (typeof bytes !== 'number' || !Number.isFinite(bytes) || bytes <= 0) return undefined;
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}
