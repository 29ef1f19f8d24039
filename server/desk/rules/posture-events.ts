// Events worth a ticket from a device's state rather than from one change: a volume low on free
// space, disk encryption switched off, an antivirus disabled. Pure: the store passes the device's
// snapshot after a batch and the state it kept from earlier batches, and stores the state returned
// in the batch's own transaction. The state is what makes "once": a low volume raises one ticket and
// no other until it has recovered above the threshold plus a margin (so 9 % -> 10 % -> 9 % is one
// ticket), and each raise has its own episode number in the key, so a later episode is a new ticket
// while a redelivered batch or a restart (same state, same key) is the same one.
import type { Snapshot } from '../../../shared/inventory.js';
import type { AssetEventRules } from './asset-events.js';
import { itemDescription, oneLine, subjectLine, TEXT_LIMITS, type Where } from './describe.js';

/** What the rules read of a device's snapshot (a snapshot from an older agent has neither). */
export type PostureView = Pick<Snapshot, 'volumes' | 'security'>;

/** Kept per device between batches (desk_state `posture:<deviceId>`); JSON. */
export interface PostureState {
  /** Mounts with a low-space ticket raised that have not recovered yet. */
  lowVolumes: string[];
  /** Disk encryption as last seen. */
  encryption?: 'on' | 'partial' | 'off';
  /** Antivirus products as last seen: product -> enabled. */
  antivirus: Record<string, boolean>;
  /** Episodes raised so far per item, so the next episode gets a key of its own. */
  raised: Record<string, number>;
}

export const EMPTY_POSTURE: PostureState = { lowVolumes: [], antivirus: {}, raised: {} };

export type PostureEventKind = 'volume-low-space' | 'encryption-off' | 'antivirus-disabled';

export interface PostureEvent {
  kind: PostureEventKind;
  /** Item and episode, e.g. `volume:/data#1`; the caller hashes it into the event key. */
  identity: string;
  subject: string;
  description: string;
}

/** Filesystems that are full by design (squashfs snaps, optical media): never "low on space". */
const ALWAYS_FULL = new Set(['squashfs', 'iso9660', 'udf', 'erofs', 'cramfs']);

export function parsePostureState(text: string | null | undefined): PostureState {
  if (!text) return { ...EMPTY_POSTURE, lowVolumes: [], antivirus: {}, raised: {} };
  try {
    const v = JSON.parse(text) as Partial<PostureState>;
    return {
      lowVolumes: Array.isArray(v.lowVolumes) ? v.lowVolumes.filter((m) => typeof m === 'string') : [],
      ...(v.encryption === 'on' || v.encryption === 'partial' || v.encryption === 'off' ? { encryption: v.encryption } : {}),
      antivirus: v.antivirus && typeof v.antivirus === 'object' ? { ...v.antivirus } : {},
      raised: v.raised && typeof v.raised === 'object' ? { ...v.raised } : {},
    };
  } catch {
    return { lowVolumes: [], antivirus: {}, raised: {} };
  }
}

function gb(bytes: number | undefined): string | undefined {
  return bytes === undefined ? undefined : `${(bytes / 1e9).toFixed(1)} GB`;
}

/** Mount points and product names come from endpoints: one line, so they cannot add lines of their own. */
const flat = (text: string): string => oneLine(text, TEXT_LIMITS.fieldValue);

/** Counts the episode and returns its identity. */
function episode(state: PostureState, item: string): string {
  const n = (state.raised[item] ?? 0) + 1;
  state.raised[item] = n;
  return `${item}#${n}`;
}

function volumeEvents(view: PostureView, rules: AssetEventRules, state: PostureState, where: Where): PostureEvent[] {
  const out: PostureEvent[] = [];
  const low = new Set(state.lowVolumes);
  for (const v of view.volumes ?? []) {
    if (v.freePercent === undefined || (v.fs && ALWAYS_FULL.has(v.fs.toLowerCase())) || v.sizeBytes === 0) continue;
    if (low.has(v.mount)) {
      // Recovered only above threshold + margin: a volume hovering at the threshold is one ticket.
      if (v.freePercent >= rules.lowSpacePercent + rules.lowSpaceMarginPercent) low.delete(v.mount);
      continue;
    }
    if (!rules.volumeLowSpace || v.freePercent >= rules.lowSpacePercent) continue;
    low.add(v.mount);
    out.push({
      kind: 'volume-low-space',
      identity: episode(state, `volume:${v.mount}`),
      subject: subjectLine('Low disk space', where.hostname, `${v.mount} ${v.freePercent} % free`),
      description: itemDescription(
        `The volume ${flat(v.mount)} on ${flat(where.hostname)} has ${v.freePercent} % free space, under the threshold of ${rules.lowSpacePercent} %.`,
        where,
        { Volume: v.mount, Free: `${v.freePercent} %${v.freeBytes !== undefined ? ` (${gb(v.freeBytes)})` : ''}`, Size: gb(v.sizeBytes) },
        { filesystem: v.fs, label: v.label },
      ),
    });
  }
  state.lowVolumes = [...low].sort();
  return out;
}

function encryptionEvents(view: PostureView, rules: AssetEventRules, state: PostureState, where: Where): PostureEvent[] {
  const now = view.security?.diskEncryption;
  if (now === undefined) return []; // unknown this time: keep what was last seen
  const before = state.encryption;
  state.encryption = now;
  if (!rules.encryptionOff || now !== 'off' || (before !== 'on' && before !== 'partial')) return [];
  return [
    {
      kind: 'encryption-off',
      identity: episode(state, 'encryption'),
      subject: subjectLine('Disk encryption switched off', where.hostname, `was ${before}`),
      description: itemDescription(
        `Disk encryption on ${where.hostname} is off; it was ${before}.`,
        where,
        { Before: before, Now: now },
        {},
      ),
    },
  ];
}

function antivirusEvents(view: PostureView, rules: AssetEventRules, state: PostureState, where: Where): PostureEvent[] {
  const list = view.security?.antivirus;
  if (list === undefined) return [];
  const before = state.antivirus;
  const now: Record<string, boolean> = {};
  for (const av of list) if (av.enabled !== undefined) now[av.product] = av.enabled;
  state.antivirus = now;
  if (!rules.antivirusDisabled) return [];
  const disabled = Object.keys(now).filter((p) => now[p] === false && before[p] === true);
  // The last enabled product gone altogether (uninstalled): as disabled as switched off.
  const anyEnabled = Object.values(now).some(Boolean);
  const vanished = anyEnabled ? [] : Object.keys(before).filter((p) => before[p] === true && !(p in now));
  return [...disabled.map((p) => [p, 'disabled'] as const), ...vanished.map((p) => [p, 'removed'] as const)].map(([product, how]) => ({
    kind: 'antivirus-disabled' as const,
    identity: episode(state, `antivirus:${product}`),
    subject: subjectLine('Antivirus disabled', where.hostname, `${product} ${how}`),
    description: itemDescription(
      `The antivirus ${flat(product)} on ${flat(where.hostname)} was ${how}${anyEnabled ? '' : '; no enabled antivirus is left'}.`,
      where,
      { Product: product, Change: how },
      {},
    ),
  }));
}

/**
 * The events this snapshot raises, and the state to keep for the next batch (a new object; the
 * input is not changed). With every rule off, state is still kept, so switching a rule on later
 * compares with what the device really had.
 */
export function postureEventsFrom(
  view: PostureView,
  rules: AssetEventRules,
  previous: PostureState,
  where: Where,
): { events: PostureEvent[]; state: PostureState } {
  const state: PostureState = {
    lowVolumes: [...previous.lowVolumes],
    ...(previous.encryption ? { encryption: previous.encryption } : {}),
    antivirus: { ...previous.antivirus },
    raised: { ...previous.raised },
  };
  const events = [
    ...volumeEvents(view, rules, state, where),
    ...encryptionEvents(view, rules, state, where),
    ...antivirusEvents(view, rules, state, where),
  ];
  return { events, state };
}
