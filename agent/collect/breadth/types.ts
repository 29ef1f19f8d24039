// What the breadth collectors (issue 18) return. A field left undefined could not be read this time
// and keeps its previous value (see snapshot.ts); an empty list means "read, and there are none".
import type { Hardware, LocalAccount, LocalGroup, Monitor, Printer, SecurityPosture, Volume } from '../../../shared/inventory.js';

export interface Breadth {
  volumes?: Volume[];
  monitors?: Monitor[];
  printers?: Printer[];
  accounts?: LocalAccount[];
  groups?: LocalGroup[];
  security?: SecurityPosture;
  /** Disks seen as block devices, used when the disk layout is empty (virtual machines). */
  blockDisks?: Hardware['disks'];
}

export const BREADTH_SECTIONS = ['volumes', 'monitors', 'printers', 'accounts', 'groups', 'security'] as const;

/** Local groups whose members administer the machine, by name (Linux, macOS). */
export const ADMIN_GROUPS = new Set(['sudo', 'wheel', 'admin']);

/** Text for an optional field: trimmed, undefined when empty. */
export function opt(value: string | null | undefined): string | undefined {
  const v = value?.trim();
  return v ? v.slice(0, 1024) : undefined;
}
