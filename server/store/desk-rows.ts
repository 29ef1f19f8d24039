// Desk job rows and the software catalog's tallies as both engines read them (sqlite/desk-store.ts,
// postgres/desk-store.ts): one mapping, so the engines cannot drift apart.
import {
  MAX_CATALOG_VERSIONS,
  type DeskJob,
  type DeskJobKind,
  type DeskJobSpec,
  type DeskJobState,
  type DeskSoftware,
} from './desk-records.js';

/** The ref of a desk ticket Outpost takes over: of the endpoint ref's shape (shared/tickets.ts
 * TicketRefSchema), and one no agent makes. */
export const deskTicketRef = (deskId: string): string => `desk-ticket-${deskId.replace(/[^A-Za-z0-9_-]/g, '_')}`.slice(0, 64);

export interface JobRow {
  id: number;
  kind: DeskJobKind;
  key: string;
  payload: string;
  state: DeskJobState;
  attempts: number;
  revision: number;
  next_at: number;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

export function toJob(r: JobRow): DeskJob {
  // The row was written from a DeskJobSpec by enqueue (the only writer), so kind and payload agree.
  const spec = { kind: r.kind, payload: JSON.parse(r.payload) as unknown } as DeskJobSpec;
  return {
    ...spec,
    id: r.id,
    key: r.key,
    state: r.state,
    attempts: r.attempts,
    revision: r.revision,
    nextAt: r.next_at,
    lastError: r.last_error,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** One value (a version, a spelling, a publisher) of a package name key, and on how many devices. */
export interface Tallied {
  k: string;
  value: string | null;
  devices: number;
}

/** The catalog from the top names (most installed first) and the tallies of each name's values. */
export function assembleCatalog(
  top: readonly { k: string; devices: number }[],
  tallies: { versions: Tallied[]; names: Tallied[]; publishers: Tallied[] },
): DeskSoftware[] {
  const [v, n, p] = [byKey(tallies.versions), byKey(tallies.names), byKey(tallies.publishers)];
  return top.map((t) => {
    const publisher = mostCommon(p.get(t.k) ?? []);
    return {
      name: mostCommon(n.get(t.k) ?? []) ?? t.k,
      ...(publisher ? { publisher } : {}),
      versions: (v.get(t.k) ?? [])
        .map((r) => ({ version: r.value, devices: r.devices }))
        .sort((a, b) => b.devices - a.devices || String(a.version).localeCompare(String(b.version)))
        .slice(0, MAX_CATALOG_VERSIONS),
      devices: t.devices,
    };
  });
}

function byKey(rows: Tallied[]): Map<string, Tallied[]> {
  const m = new Map<string, Tallied[]>();
  for (const r of rows) {
    const list = m.get(r.k);
    if (list) list.push(r);
    else m.set(r.k, [r]);
  }
  return m;
}

/** The value on most devices; ties go to the alphabetically first, so runs agree with each other. */
function mostCommon(rows: Tallied[]): string | undefined {
  let best: Tallied | undefined;
  for (const r of rows) {
    if (r.value === null) continue;
    if (!best || r.devices > best.devices || (r.devices === best.devices && r.value < best.value!)) best = r;
  }
  return best?.value ?? undefined;
}
