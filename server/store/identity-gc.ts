// Garbage collection of package identities (software_packages, software_keys) no device row names
// any more: a version upgraded away, a package uninstalled everywhere, a generation the sweeper
// retired. It runs in the sweeper's turn (Store.sweepSoftware, when no generation is left to sweep),
// a window of ids a step, packages first and then keys, one pass at most every PASS_EVERY_MS, so the
// cost stays off the batches. Any row of any generation (live, staged, left for the sweeper) keeps
// its identities. Each engine makes sure no batch is between naming an identity and writing its row
// while a step deletes: SQLite's batches run on the same connection and the step then forgets the
// ids the batch keeps in memory (sqlite/software-rows.ts); PostgreSQL's batches hold a shared
// advisory lock that a step takes exclusively (postgres/identity-gc.ts).
import { z } from 'zod';

/** How often a pass over every identity may start (the first one this long after the first sweep). */
export const PASS_EVERY_MS = 10 * 60_000;

const GcStateSchema = z.object({
  /** The pass under way, and the last id of its table looked at; null between passes. */
  pass: z.object({ table: z.enum(['packages', 'keys']), from: z.number().int() }).nullable(),
  /** When the last pass ended (epoch ms). */
  endedAt: z.number(),
});
export type GcState = z.infer<typeof GcStateSchema>;

/** The `meta` key the state is kept under. */
export const GC_META_KEY = 'identity_gc';

/** The kept state; none yet (the first sweep): as if a pass had just ended at `at`. */
export function readGcState(text: string | undefined, at: number): GcState {
  if (text === undefined) return { pass: null, endedAt: at };
  const parsed = GcStateSchema.safeParse(JSON.parse(text));
  // A state this version cannot read starts a new pass: looking again is always safe.
  return parsed.success ? parsed.data : { pass: null, endedAt: 0 };
}

export type GcWindow = NonNullable<GcState['pass']>;

/** The window a step looks at now: the pass under way, a new pass when one is due, else null. */
export function dueWindow(state: GcState, at: number): GcWindow | null {
  return state.pass ?? (at - state.endedAt >= PASS_EVERY_MS ? { table: 'packages', from: 0 } : null);
}

/** The state after a step looked at `looked` ids (the last one `last`) of `window`, at most `limit`. */
export function afterWindow(state: GcState, window: GcWindow, looked: number, last: number, limit: number, at: number): GcState {
  if (looked >= limit) return { ...state, pass: { table: window.table, from: last } };
  if (window.table === 'packages') return { ...state, pass: { table: 'keys', from: 0 } };
  return { pass: null, endedAt: at };
}
