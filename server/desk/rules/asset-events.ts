// Asset events: the tickets a device's inventory changes raise in the service desk (new hardware,
// new software, prohibited software). Pure: the sync engine passes one applied batch's changes and
// turns each event into one desk ticket under the event's key, which its job queue keeps unique, so
// an event raised twice (redelivery, restart, an upgrade of a flagged package) is one ticket.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { SectionChange } from '../../../shared/delta.js';
import { itemDescription, subjectLine, summaryDescription, type Where } from './describe.js';
import { newHardwareFrom } from './hardware-items.js';
import { compileProhibited, isUselessPattern, PATTERN_LIMITS } from './patterns.js';
import { exemptionName } from '../../store/software-request-records.js';
import type { PostureEventKind } from './posture-events.js';
import { softwareFrom, type SoftwareItem } from './software-items.js';

export { compileProhibited, matchesProhibited, prohibitedFromText, PATTERN_LIMITS } from './patterns.js';

export const AssetEventRulesSchema = z
  .object({
    newHardware: z.boolean().default(false),
    newSoftware: z.boolean().default(false),
    prohibitedSoftware: z.boolean().default(true),
    /** Name patterns: '*' and '?' wildcards, case-insensitive, matched against the package name. */
    prohibited: z
      .array(
        z
          .string()
          .min(1)
          .max(PATTERN_LIMITS.patternLength)
          .refine((p) => !isUselessPattern(p), 'A prohibited-software pattern must hold more than wildcards.'),
      )
      .max(PATTERN_LIMITS.patterns)
      .default([]),
    /** A volume's free space under lowSpacePercent: one ticket per crossing (./posture-events.ts). */
    volumeLowSpace: z.boolean().default(false),
    lowSpacePercent: z.number().int().min(1).max(99).default(10),
    /** A low volume counts as recovered (and may raise again) only at lowSpacePercent + this. */
    lowSpaceMarginPercent: z.number().int().min(1).max(50).default(5),
    /** Disk encryption went from on or partial to off. */
    encryptionOff: z.boolean().default(false),
    /** An antivirus went from enabled to disabled, or the last enabled one disappeared. */
    antivirusDisabled: z.boolean().default(false),
  })
  .strict();
export type AssetEventRules = z.infer<typeof AssetEventRulesSchema>;

export type AssetEventKind = 'new-hardware' | 'new-software' | 'prohibited-software' | PostureEventKind;

export interface AssetEvent {
  /** Stable across redeliveries and restarts: deviceId + kind + item identity. Never repeats for the same device and item. */
  key: string;
  kind: AssetEventKind;
  deviceId: string;
  subject: string;
  description: string;
}

export interface AssetEventInput {
  deviceId: string;
  hostname: string;
  changes: SectionChange[];
  /** The device's first snapshot: everything in it is "new", so only prohibited software counts. */
  first: boolean;
  /** When the batch was applied (ISO 8601), shown in the description; the module reads no clock. */
  detectedAt?: string;
  /**
   * Names this device may keep although the prohibited list names them (exceptions IT approved),
   * any case: such a package raises no prohibited event (it counts as any other software).
   */
  exempt?: readonly string[];
}

/** More events of one kind than this in one batch become one summary event (an OS upgrade, a re-image). */
export const MAX_EVENTS_PER_KIND = 50;

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * `<kind>:<device>:<32 hex of sha256(identity)>`, at most 117 characters of [A-Za-z0-9_.:-], so it
 * also serves as the desk's idempotency key. Device ids outside that alphabet are hashed too.
 */
export function assetEventKey(kind: AssetEventKind, deviceId: string, identity: string): string {
  const device = /^[A-Za-z0-9_.-]{1,64}$/.test(deviceId) ? deviceId : `h${sha256(deviceId).slice(0, 32)}`;
  return `${kind}:${device}:${sha256(identity).slice(0, 32)}`;
}

interface Found {
  kind: AssetEventKind;
  identity: string;
  label: string;
  build: (where: Where) => { subject: string; description: string };
}

const softwareLabel = (s: SoftwareItem): string => (s.version ? `${s.name} ${s.version}` : s.name);

function prohibitedFound(s: SoftwareItem, pattern: string): Found {
  return {
    kind: 'prohibited-software',
    identity: `software:${s.identity}`,
    label: softwareLabel(s),
    build: (w) => ({
      subject: subjectLine('Prohibited software', w.hostname, softwareLabel(s)),
      description: itemDescription(
        `Prohibited software was ${s.how === 'installed' ? 'found' : 'updated'} on ${w.hostname}.`,
        w,
        { Package: s.name, Version: s.version, 'Matched pattern': pattern },
        s.fields,
      ),
    }),
  };
}

function newSoftwareFound(s: SoftwareItem): Found {
  return {
    kind: 'new-software',
    identity: `software:${s.identity}`,
    label: softwareLabel(s),
    build: (w) => ({
      subject: subjectLine('New software', w.hostname, softwareLabel(s)),
      description: itemDescription(`New software was installed on ${w.hostname}.`, w, { Package: s.name, Version: s.version }, s.fields),
    }),
  };
}

function softwareEvents(input: AssetEventInput, rules: AssetEventRules): Found[] {
  const match = rules.prohibitedSoftware ? compileProhibited(rules.prohibited) : () => undefined;
  const exempt = new Set((input.exempt ?? []).map(exemptionName));
  const found: Found[] = [];
  for (const item of softwareFrom(input.changes, true)) {
    const pattern = exempt.has(exemptionName(item.name)) ? undefined : match(item.name);
    // A prohibited package raises only the prohibited event: one install, one ticket.
    if (pattern !== undefined) found.push(prohibitedFound(item, pattern));
    else if (!input.first && rules.newSoftware && item.how === 'installed') found.push(newSoftwareFound(item));
  }
  return found;
}

function hardwareEvents(input: AssetEventInput, rules: AssetEventRules): Found[] {
  if (input.first || !rules.newHardware) return [];
  return newHardwareFrom(input.changes).map((h) => ({
    kind: 'new-hardware',
    identity: `hardware:${h.identity}`,
    label: h.label,
    build: (w) => ({
      subject: subjectLine('New hardware', w.hostname, h.label),
      description: itemDescription(`New hardware was detected on ${w.hostname}.`, w, { Part: h.label, Change: h.reason }, h.fields),
    }),
  }));
}

const TITLES: Record<AssetEventKind, string> = {
  'volume-low-space': 'Low disk space',
  'encryption-off': 'Disk encryption switched off',
  'antivirus-disabled': 'Antivirus disabled',
  'new-hardware': 'New hardware',
  'new-software': 'New software',
  'prohibited-software': 'Prohibited software',
};

/** Too many of one kind at once: one event for all of them, keyed by the whole set. */
function summary(kind: AssetEventKind, items: readonly Found[], where: Where): AssetEvent {
  const identities = items.map((f) => f.identity).sort();
  const title = TITLES[kind];
  return {
    key: assetEventKey(kind, where.deviceId, `many:${identities.join('\n')}`),
    kind,
    deviceId: where.deviceId,
    subject: subjectLine(title, where.hostname, `${items.length} items`),
    description: summaryDescription(
      `${title}: ${items.length} items were detected on ${where.hostname} at once.`,
      where,
      items.map((f) => f.label),
    ),
  };
}

/** The events one applied batch raises, each under a key that is the same whenever it is raised again. */
export function assetEventsFrom(input: AssetEventInput, rules: AssetEventRules): AssetEvent[] {
  const where: Where = {
    deviceId: input.deviceId,
    hostname: input.hostname,
    ...(input.detectedAt ? { detectedAt: input.detectedAt } : {}),
  };
  const byKind = new Map<AssetEventKind, Map<string, Found>>();
  for (const found of [...softwareEvents(input, rules), ...hardwareEvents(input, rules)]) {
    const ofKind = byKind.get(found.kind) ?? new Map<string, Found>();
    byKind.set(found.kind, ofKind);
    // The same item twice in one batch (added, then upgraded) is one event: the first.
    if (!ofKind.has(found.identity)) ofKind.set(found.identity, found);
  }
  const events: AssetEvent[] = [];
  for (const [kind, found] of byKind) {
    const items = [...found.values()];
    if (items.length > MAX_EVENTS_PER_KIND) {
      events.push(summary(kind, items, where));
      continue;
    }
    for (const f of items) {
      events.push({ key: assetEventKey(kind, input.deviceId, f.identity), kind, deviceId: input.deviceId, ...f.build(where) });
    }
  }
  return events;
}
