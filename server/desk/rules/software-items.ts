// Software added or changed in one batch, reduced to what the rules need: the package's identity
// (the inventory's item key: source, name, arch, scope, user - no version, so an upgrade keeps it),
// its name, and its fields. Changed entries carry only the key and the changed fields, so the name
// is read back out of the key.
import type { SectionChange } from '../../../shared/delta.js';
import { itemKey, type Software } from '../../../shared/inventory.js';
import { show } from './describe.js';

export interface SoftwareItem {
  identity: string;
  name: string;
  version?: string;
  how: 'installed' | 'changed';
  /** The package's fields (added), or the changed fields as "from -> to" (changed). */
  fields: Record<string, unknown>;
}

const isText = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

function asSoftware(item: unknown): Software | undefined {
  if (item === null || typeof item !== 'object') return undefined;
  const s = item as Partial<Software>;
  return isText(s.name) && isText(s.source) && isText(s.scope) ? (s as Software) : undefined;
}

/**
 * The name inside a software item key (source \t name \t arch \t scope \t user). The source and
 * scope are fixed words; should a name itself hold a tab, the extra parts are taken to be the
 * name's, as architectures and account names with tabs do not occur.
 */
export function nameFromSoftwareKey(key: string): string | undefined {
  const parts = key.split('\t');
  if (parts.length < 5) return undefined;
  const name = parts.slice(1, parts.length - 3).join('\t');
  return name.length > 0 ? name : undefined;
}

function changedItem(entry: SectionChange['changed'][number]): SoftwareItem | undefined {
  const name = nameFromSoftwareKey(entry.key);
  if (!name) return undefined;
  const version = entry.fields.version?.to;
  const fields: Record<string, unknown> = {};
  for (const [field, { from, to }] of Object.entries(entry.fields)) fields[field] = `${show(from) || '-'} -> ${show(to) || '-'}`;
  return { identity: entry.key, name, ...(isText(version) ? { version } : {}), how: 'changed', fields };
}

/** Every software item added or changed in the batch, added first, in the order they came. */
export function softwareFrom(changes: readonly SectionChange[], includeChanged: boolean): SoftwareItem[] {
  const out: SoftwareItem[] = [];
  for (const change of changes) {
    if (change.section !== 'software') continue;
    for (const raw of change.added) {
      const s = asSoftware(raw);
      if (s)
        out.push({
          identity: itemKey.software(s),
          name: s.name,
          ...(s.version ? { version: s.version } : {}),
          how: 'installed',
          fields: { ...s },
        });
    }
    if (!includeChanged) continue;
    for (const entry of change.changed) {
      const item = changedItem(entry);
      if (item) out.push(item);
    }
  }
  return out;
}
