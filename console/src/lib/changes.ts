// Reads one entry of a device's change history as sentences an admin can scan:
// "Installed hello 2.10-3 (dpkg)", "Updated bash 5.2.15-2 → 5.2.21-2 (dpkg)", "alice logged on".
// The server stores removed items whole and changed items as { key, fields: { f: { from, to } } }.
import type { ChangeJson } from '../../../shared/http-api.js';
import { formatBytes, formatCount } from './format.js';

export interface ChangeSummary {
  /** One line for the whole entry: "Software: 2 installed, 1 updated". */
  headline: string;
  /** One sentence per item, in the order added, changed, removed. */
  lines: string[];
}

type FieldChange = ChangeJson['changed'][number];
type Fields = FieldChange['fields'];

const TRIGGER_NAMES: Record<string, string> = {
  startup: 'Agent start',
  logon: 'User logon',
  'users-refresh': 'Users refreshed',
  manual: 'Manual scan',
  server: 'Scan from console',
  schedule: 'Scheduled scan',
  'software-change': 'Software change',
  refresh: 'Refresh',
  rename: 'Rename',
  resync: 'Resync',
  enrolled: 'Enrolled',
};

export function triggerName(trigger: string): string {
  return TRIGGER_NAMES[trigger] ?? trigger;
}

const SECTION_NAMES: Record<string, string> = {
  hardware: 'Hardware',
  os: 'OS',
  network: 'Network',
  users: 'Users',
  software: 'Software',
  volumes: 'Volumes',
  monitors: 'Monitors',
  printers: 'Printers',
  accounts: 'Local accounts',
  groups: 'Local groups',
  security: 'Security',
};

export function sectionName(section: string): string {
  return SECTION_NAMES[section] ?? section;
}

/** A volume by its mount, a monitor by its model, anything else by its name. */
function breadthLabel(item: Record<string, unknown>): string {
  return str(item.mount) ?? str(item.name) ?? ([str(item.vendor), str(item.model)].filter(Boolean).join(' ') || 'An item');
}

function rec(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

// ------------------------------------------------------------------ software

/** "hello 2.10-3 (dpkg)", "Firefox 128.0 (windows-registry, user alice)" */
function softwareLabel(item: Record<string, unknown>): string {
  const name = str(item.name) ?? 'unnamed package';
  const version = str(item.version);
  const where = [str(item.source), item.scope === 'user' && str(item.user) ? `user ${str(item.user)}` : undefined]
    .filter(Boolean)
    .join(', ');
  return `${name}${version ? ` ${version}` : ''}${where ? ` (${where})` : ''}`;
}

/** Reads back itemKey.software (shared/inventory-keys.ts): source, name, arch, scope and user joined by tabs. */
function softwareFromKey(key: string): Record<string, unknown> {
  const [source, name, , scope, user] = key.split('\t');
  return { source, name: name ?? key, scope, user };
}

function softwareChangeLine(change: FieldChange): string {
  const item = softwareFromKey(change.key);
  const version = change.fields.version;
  const others = Object.keys(change.fields).filter((f) => f !== 'version');
  if (!version) return `Changed ${softwareLabel(item)}: ${others.map(fieldName).join(', ')}`;
  const versions = `${str(version.from) ?? '(none)'} → ${str(version.to) ?? '(none)'}`;
  const rest = others.length ? `; ${others.map(fieldName).join(', ')} changed` : '';
  return `Updated ${softwareLabel({ ...item, version: versions })}${rest}`;
}

// ------------------------------------------------------------------ users and network

function userLabel(item: Record<string, unknown>): string {
  const name = str(item.name) ?? 'someone';
  const domain = str(item.domain);
  const terminal = str(item.terminal);
  return `${domain ? `${domain}\\` : ''}${name}${terminal ? ` on ${terminal}` : ''}`;
}

/** Reads back itemKey.users (shared/inventory-keys.ts): domain, name and terminal joined by tabs. */
function userFromKey(key: string): Record<string, unknown> {
  const [domain, name, terminal] = key.split('\t');
  return { domain, name, terminal };
}

function addresses(item: Record<string, unknown>): string {
  const list = [item.ipv4, item.ipv6]
    .flatMap((v) => (Array.isArray(v) ? (v as unknown[]) : []))
    .filter((x): x is string => typeof x === 'string');
  return list.join(', ');
}

function interfaceLabel(item: Record<string, unknown>): string {
  const details = [str(item.mac), addresses(item)].filter(Boolean).join(', ');
  return `${str(item.name) ?? 'interface'}${details ? ` (${details})` : ''}`;
}

// ------------------------------------------------------------------ values of object sections

const FIELD_NAMES: Record<string, string> = {
  manufacturer: 'Manufacturer',
  model: 'Model',
  serial: 'Service tag',
  uuid: 'System UUID',
  sku: 'SKU',
  bios: 'BIOS',
  chassis: 'Chassis',
  cpu: 'CPU',
  memory: 'Memory',
  disks: 'Disks',
  graphics: 'Graphics',
  battery: 'Battery',
  platform: 'Platform',
  distro: 'Distribution',
  release: 'Release',
  build: 'Build',
  codename: 'Codename',
  kernel: 'Kernel',
  arch: 'Architecture',
  hostname: 'Hostname',
  fqdn: 'FQDN',
  domain: 'Domain',
  ipv4: 'IPv4',
  ipv6: 'IPv6',
  mac: 'MAC',
  virtual: 'Virtual',
  type: 'Type',
  speedMbps: 'Speed (Mbit/s)',
  version: 'Version',
  publisher: 'Publisher',
  installDate: 'Install date',
};

function fieldName(field: string): string {
  return FIELD_NAMES[field] ?? field;
}

/** A short text for a changed value: strings as they are, known objects by what matters. */
function valueText(field: string, value: unknown): string {
  if (value === null || value === undefined || value === '') return '(none)';
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v === 'string')) return value.length ? value.join(', ') : '(none)';
    return value.length === 1
      ? `1 ${field === 'disks' ? 'disk' : 'item'}`
      : `${formatCount(value.length)} ${field === 'disks' ? 'disks' : 'items'}`;
  }
  const o = rec(value);
  if (field === 'memory') return typeof o.totalBytes === 'number' ? formatBytes(o.totalBytes) : '(none)';
  if (field === 'cpu')
    return (
      [str(o.brand) ?? str(o.manufacturer), typeof o.cores === 'number' ? `${o.cores} cores` : undefined].filter(Boolean).join(', ') ||
      '(none)'
    );
  if (field === 'bios') return [str(o.vendor), str(o.version)].filter(Boolean).join(' ') || '(none)';
  const parts = Object.values(o).filter((v) => typeof v === 'string' || typeof v === 'number');
  return parts.length ? parts.join(' ') : '(none)';
}

function fieldLines(fields: Fields): string[] {
  return Object.entries(fields).map(([field, { from, to }]) => {
    const before = valueText(field, from);
    const after = valueText(field, to);
    if (before === '(none)') return `${fieldName(field)}: ${after}`;
    if (before === after) return `${fieldName(field)} changed`;
    return `${fieldName(field)}: ${before} → ${after}`;
  });
}

// ------------------------------------------------------------------ one entry

function countsHeadline(section: string, parts: [number, string][]): string {
  const text = parts.filter(([n]) => n > 0).map(([n, word]) => `${formatCount(n)} ${word}`);
  return `${sectionName(section)}: ${text.join(', ') || 'no visible change'}`;
}

/** What summariseChange reads of a change entry. */
export type ChangeInput = Pick<ChangeJson, 'section' | 'added' | 'removed' | 'changed'>;

export function summariseChange(change: ChangeInput): ChangeSummary {
  const added = change.added.map(rec);
  const removed = change.removed.map(rec);
  const { changed } = change;
  switch (change.section) {
    case 'software':
      return {
        headline: countsHeadline('software', [
          [added.length, 'installed'],
          [changed.length, 'updated'],
          [removed.length, 'removed'],
        ]),
        lines: [
          ...added.map((s) => `Installed ${softwareLabel(s)}`),
          ...changed.map(softwareChangeLine),
          ...removed.map((s) => `Removed ${softwareLabel(s)}`),
        ],
      };
    case 'users':
      return {
        headline: countsHeadline('users', [
          [added.length, 'logged on'],
          [removed.length, 'logged off'],
          [changed.length, 'changed'],
        ]),
        lines: [
          ...added.map((u) => `${userLabel(u)} logged on`),
          ...changed.map((c) => `${userLabel(userFromKey(c.key))}: ${fieldLines(c.fields).join('; ')}`),
          ...removed.map((u) => `${userLabel(u)} logged off`),
        ],
      };
    case 'network':
      return {
        headline: countsHeadline('network', [
          [added.length, 'added'],
          [changed.length, 'changed'],
          [removed.length, 'removed'],
        ]),
        lines: [
          ...added.map((n) => `Interface ${interfaceLabel(n)} added`),
          ...changed.map((c) => `Interface ${c.key}: ${fieldLines(c.fields).join('; ')}`),
          ...removed.map((n) => `Interface ${interfaceLabel(n)} removed`),
        ],
      };
    case 'volumes':
    case 'monitors':
    case 'printers':
    case 'accounts':
    case 'groups':
      return {
        headline: countsHeadline(change.section, [
          [added.length, 'added'],
          [changed.length, 'changed'],
          [removed.length, 'removed'],
        ]),
        lines: [
          ...added.map((i) => `${breadthLabel(i)} added`),
          ...changed.map((c) => `${c.key}: ${fieldLines(c.fields).join('; ')}`),
          ...removed.map((i) => `${breadthLabel(i)} removed`),
        ],
      };
    default: {
      const lines = changed.flatMap((c) => fieldLines(c.fields));
      return {
        headline: `${sectionName(change.section)}: ${lines.length === 1 ? lines[0] : `${formatCount(lines.length)} fields changed`}`,
        lines,
      };
    }
  }
}
