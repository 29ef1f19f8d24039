// When each flow reaches the desk. Outpost-to-desk flows go at once by default, or in slots of a
// fixed interval (aligned to the epoch, so "1h" means on the hour, UTC); the software catalog is
// pushed on an interval (daily by default) or only on demand, and so is the package store's catalog
// of software packages. Polling is DeskSettings.pollSeconds.
import { z } from 'zod';
import type { DeskJobKind } from '../../store/desk-records.js';

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION = /^(\d{1,6})(s|m|h|d)$/;
/** Within setTimeout's limit (about 24.8 days), so one timer covers an interval. */
const MAX_DAYS = 24;

/** '90s', '15m', '1h', '1d' in ms; null when the text is not a duration. */
export function durationMs(text: string): number | null {
  const m = DURATION.exec(text.trim());
  if (!m) return null;
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
}

/** 10000 -> '10 s', 86400000 -> '1 day', 2073600000 -> '24 days'. */
const span = (ms: number): string => {
  if (ms < UNIT_MS.m) return `${ms / 1000} s`;
  if (ms < UNIT_MS.d) return `${ms / UNIT_MS.m} min`;
  return ms === UNIT_MS.d ? '1 day' : `${ms / UNIT_MS.d} days`;
};

const between = (minMs: number, maxMs: number, what: string) =>
  z.string().refine(
    (t) => {
      const ms = durationMs(t);
      return ms !== null && ms >= minMs && ms <= maxMs;
    },
    `${what} must be a duration such as 30s, 15m, 1h or 1d, from ${span(minMs)} to ${span(maxMs)}`,
  );

/** 'immediate', or an interval from 10 s to a day. */
const FlowSchedule = z.union([z.literal('immediate'), between(10_000, UNIT_MS.d, 'A flow schedule')]);
/** An interval from 1 min to 24 days, or 'on-demand' (POST /api/desk/catalog/sync, /api/desk/packages/sync only). */
const CatalogSchedule = z.union([z.literal('on-demand'), between(UNIT_MS.m, MAX_DAYS * UNIT_MS.d, 'The catalog schedule')]);

export const SchedulesSchema = z
  .object({
    assets: FlowSchedule.default('immediate'),
    tickets: FlowSchedule.default('immediate'),
    notes: FlowSchedule.default('immediate'),
    worklogs: FlowSchedule.default('immediate'),
    catalog: CatalogSchedule.default('24h'),
    /** The package store's packages ("software packages") to the desk. */
    packages: CatalogSchedule.default('24h'),
  })
  .strict();
export type SchedulesInput = z.input<typeof SchedulesSchema>;
export type Schedules = z.output<typeof SchedulesSchema>;

export const DEFAULT_SCHEDULES: Schedules = SchedulesSchema.parse({});

type Flow = keyof Schedules;

const FLOW_OF: Record<DeskJobKind, Flow> = {
  asset: 'assets',
  'ticket.create': 'tickets',
  event: 'tickets',
  'ticket.close': 'tickets',
  'ticket.status': 'tickets',
  'ticket.note': 'notes',
  worklog: 'worklogs',
  catalog: 'catalog',
  packages: 'packages',
};

/** The slot a job's flow waits for, in ms; 0 when it goes at once (the catalog job always does once queued). */
export function slotMs(s: Schedules, kind: DeskJobKind): number {
  const flow = FLOW_OF[kind];
  if (flow === 'catalog' || flow === 'packages') return 0;
  const v = s[flow];
  return v === 'immediate' ? 0 : (durationMs(v) ?? 0);
}

/** The first slot boundary at or after `at`. */
export function nextSlot(at: number, slot: number): number {
  return Math.ceil(at / slot) * slot;
}

/** The catalog's (or the packages') interval in ms, or null for on-demand. */
export function catalogIntervalMs(s: Schedules, which: 'catalog' | 'packages' = 'catalog'): number | null {
  return s[which] === 'on-demand' ? null : durationMs(s[which]);
}
