// Registry export files (.reg, "Windows Registry Editor Version 5.00"), read into the same RegKey
// records as `reg query` output, so exported hives go through the same uninstall-entry rules.
import type { RegData, RegKey } from './reg-query.js';

/** Text of a file from Windows tools by its BOM: regedit and wmic redirects write UTF-16LE, others UTF-8. */
export function decodeWindowsText(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return bytes.subarray(3).toString('utf8');
  return bytes.toString('utf8');
}

/**
 * Keys of a .reg export. Every [key] block becomes one RegKey, nested subkeys included (the caller
 * decides which depth it wants). Deletions ([-key], "name"=-) and binary values are skipped.
 */
export function parseRegExport(text: string): RegKey[] {
  const keys: RegKey[] = [];
  let current: RegKey | undefined;
  for (const line of logicalLines(text)) {
    if (line.startsWith('[')) {
      const path = line.endsWith(']') ? line.slice(1, -1) : '';
      current = path && !path.startsWith('-') ? { path, values: new Map() } : undefined;
      if (current) keys.push(current);
    } else if (current && (line.startsWith('"') || line.startsWith('@='))) {
      const entry = parseValueLine(line);
      if (entry && entry.data !== undefined) current.values.set(entry.name.toLowerCase(), entry.data);
    }
  }
  return keys;
}

/** Lines with the "\" + newline + indent continuations of long hex values joined back. */
function* logicalLines(text: string): Generator<string> {
  let pending = '';
  for (const raw of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    const line = pending ? pending + raw.trimStart() : raw;
    // Only hex data wraps: a string value always ends with its closing quote.
    if (line.endsWith('\\') && !line.startsWith('[')) {
      pending = line.slice(0, -1);
      continue;
    }
    pending = '';
    yield line;
  }
  if (pending) yield pending;
}

function parseValueLine(line: string): { name: string; data: RegData | undefined } | undefined {
  let name: string;
  let rest: string;
  if (line.startsWith('@=')) {
    name = '';
    rest = line.slice(2);
  } else {
    const quoted = readQuoted(line, 0);
    if (!quoted || line[quoted.end] !== '=') return undefined;
    name = quoted.text;
    rest = line.slice(quoted.end + 1);
  }
  return { name, data: parseData(rest) };
}

function parseData(rest: string): RegData | undefined {
  if (rest.startsWith('"')) {
    const quoted = readQuoted(rest, 0);
    return quoted && quoted.end === rest.length ? quoted.text : undefined;
  }
  if (rest.startsWith('dword:')) {
    return /^[0-9a-fA-F]{1,8}$/.test(rest.slice(6)) ? parseInt(rest.slice(6), 16) : undefined;
  }
  const hex = /^hex(?:\(([0-9a-fA-F]+)\))?:([0-9a-fA-F,\s]*)$/.exec(rest);
  if (!hex) return undefined;
  const bytes = Buffer.from(
    hex[2]!
      .split(',')
      .map((b) => b.trim())
      .filter(Boolean)
      .map((b) => parseInt(b, 16)),
  );
  switch ((hex[1] ?? '3').toLowerCase()) {
    case '1': // REG_SZ written as hex
    case '2': // REG_EXPAND_SZ
      return bytes.toString('utf16le').replace(/\0+$/, '');
    case '7': // REG_MULTI_SZ: NUL-separated, double-NUL-terminated
      return bytes.toString('utf16le').replace(/\0+$/, '').split('\0').join('\n');
    case 'b': // REG_QWORD, little-endian
      return bytes.length === 8 ? Number(bytes.readBigUInt64LE(0)) : undefined;
    default:
      return undefined;
  }
}

/** A "..." string starting at `start` with regedit's \\ and \" escapes undone. */
function readQuoted(line: string, start: number): { text: string; end: number } | undefined {
  let text = '';
  for (let i = start + 1; i < line.length; i++) {
    const c = line[i]!;
    if (c === '\\' && i + 1 < line.length) text += line[++i];
    else if (c === '"') return { text, end: i + 1 };
    else text += c;
  }
  return undefined;
}
