// Parses the event watchers' line protocol (WATCH-PROTOCOL.md beside this file). Input comes from
// a child process, so every line is checked and anything unexpected is ignored, never trusted.

export const WATCH_PROTOCOL_VERSION = 1;
const MAX_LINE_CHARS = 1_000;

export type SessionEvent = 'logon' | 'logoff' | 'disconnect' | 'reconnect' | 'change';
const SESSION_EVENTS: readonly string[] = ['logon', 'logoff', 'disconnect', 'reconnect', 'change'];

export type WatchEvent =
  | { kind: 'ready'; version: number; details: string }
  | { kind: 'software'; source: 'registry' | 'appx'; id?: string }
  | { kind: 'session'; event: SessionEvent }
  | { kind: 'warn'; text: string };

/** One line of the protocol, or undefined when the line is not one the agent understands. */
export function parseWatchLine(raw: string): WatchEvent | undefined {
  const line = raw.replace(/\r$/, '');
  if (line.length === 0 || line.length > MAX_LINE_CHARS || hasControl(line)) return undefined;
  const space = line.indexOf(' ');
  const kind = space === -1 ? line : line.slice(0, space);
  const rest = space === -1 ? '' : line.slice(space + 1);
  switch (kind) {
    case 'ready': {
      const m = /^(\d{1,4})(?: (.*))?$/.exec(rest);
      return m ? { kind: 'ready', version: Number(m[1]), details: m[2] ?? '' } : undefined;
    }
    case 'software': {
      if (rest === 'appx') return { kind: 'software', source: 'appx' };
      const m = /^registry (hklm|hklm32|hku:S-1-[0-9-]{1,180})$/.exec(rest);
      return m ? { kind: 'software', source: 'registry', id: m[1]! } : undefined;
    }
    case 'session':
      return SESSION_EVENTS.includes(rest) ? { kind: 'session', event: rest as SessionEvent } : undefined;
    case 'warn':
      return rest.length > 0 ? { kind: 'warn', text: rest } : undefined;
    default:
      return undefined;
  }
}

function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}
