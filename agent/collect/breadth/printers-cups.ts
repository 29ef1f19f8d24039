// Printers as CUPS knows them (Linux and macOS). printers.conf (cupsd's own file, printers.conf(5):
// "<Printer name>" / "<DefaultPrinter name>" blocks with Info, MakeModel, DeviceURI, Shared) when
// readable; otherwise lpstat(1): `lpstat -v` lines "device for NAME: URI" and `lpstat -d` "system
// default destination: NAME". Printer URIs may carry credentials (ipp://user:pass@host): stripped.
import type { Printer } from '../../../shared/inventory.js';
import { SNAPSHOT_LIMITS } from '../../../shared/inventory-keys.js';
import { opt } from './types.js';

export function parsePrintersConf(text: string): Printer[] {
  const out: Printer[] = [];
  let current: Printer | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const open = /^<(Default)?Printer\s+(.+)>$/.exec(line);
    if (open) {
      current = { name: open[2]!.trim(), isDefault: open[1] === 'Default' };
      continue;
    }
    if (line === '</Printer>' || line === '</DefaultPrinter>') {
      if (current) out.push(current);
      current = undefined;
      continue;
    }
    if (!current) continue;
    const [key, ...rest] = line.split(/\s+/);
    const value = opt(rest.join(' '));
    if (!value) continue;
    if (key === 'MakeModel') current.driver = value;
    else if (key === 'DeviceURI') current.port = withoutCredentials(value);
    else if (key === 'Shared') current.shared = /^(yes|on|true)$/i.test(value);
  }
  return out.slice(0, SNAPSHOT_LIMITS.printers);
}

export function parseLpstat(devices: string, defaultOut: string): Printer[] {
  const def = /destination:\s*(\S+)/.exec(defaultOut)?.[1];
  const out: Printer[] = [];
  for (const line of devices.split('\n')) {
    const m = /^device for ([^:]+):\s*(.+)$/.exec(line.trim());
    if (!m) continue;
    out.push({ name: m[1]!, port: withoutCredentials(m[2]!.trim()), isDefault: m[1] === def });
  }
  return out.slice(0, SNAPSHOT_LIMITS.printers);
}

function withoutCredentials(uri: string): string {
  return uri.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1');
}
