// The sweeper's step over the other sections (both engines): when a swap retired a generation, what
// changed in its sections other than software is recorded one section a step, each step reading that
// section of the two generations only (shared/stored-sections.ts), so no step costs O(the snapshot).
import type { SectionChange } from '../../shared/delta-apply.js';
import { joinSection, REST_SECTIONS, sectionChange, type RestSection, type SectionPage } from '../../shared/stored-sections.js';

/**
 * A retired generation still to be compared: `rest_from` is the last section compared ('' none);
 * `rest_ahead` the sections after it a batch compared already (comma-separated; null none).
 */
export interface RestStep {
  gen: number;
  replaced_by: number;
  rest_from: string;
  rest_ahead?: string | null;
}

function aheadOf(g: Pick<RestStep, 'rest_ahead'>): string[] {
  return g.rest_ahead ? g.rest_ahead.split(',') : [];
}

/**
 * Whether the sweeper has still to compare `section` of `g`. A batch that rewrites such a section of
 * the live generation compares it first (compareAhead), so that the swap's change is taken from the
 * generation as the swap left it, and the batch's own change is not recorded a second time.
 */
export function stillToCompare(g: { rest_from: string | null; rest_ahead?: string | null }, section: RestSection): boolean {
  if (g.rest_from === null || aheadOf(g).includes(section)) return false;
  const done = g.rest_from === '' ? -1 : REST_SECTIONS.indexOf(g.rest_from as RestSection);
  return REST_SECTIONS.indexOf(section) > done;
}

/** `rest_ahead` with `section` added. */
export function withAhead(g: Pick<RestStep, 'rest_ahead'>, section: RestSection): string {
  return [...aheadOf(g), section].join(',');
}

/**
 * One section of `g` compared: by the sweeper in its turn, or by a batch about to rewrite it in the
 * live generation (then `rest_ahead` records it). Null when nothing changed.
 */
export function compareAhead(
  g: RestStep,
  section: RestSection,
  pages: (gen: number, section: RestSection) => SectionPage[],
  hadBefore: boolean,
): SectionChange | null {
  const before = hadBefore ? joinSection(section, pages(g.gen, section)) : undefined;
  const after = joinSection(section, pages(g.replaced_by, section));
  const c = sectionChange(section, before, after, hadBefore);
  return c && (c.added.length || c.removed.length || c.changed.length) ? c : null;
}

/** The section after `from` ('' the first), or null after the last. */
export function nextSection(from: string): RestSection | null {
  if (from === '') return REST_SECTIONS[0]!;
  const i = REST_SECTIONS.indexOf(from as RestSection);
  return i < 0 ? null : (REST_SECTIONS[i + 1] ?? null);
}

/**
 * Compares the next section of the retired generation with the one that replaced it. `hadBefore`:
 * the retired generation held any section (a first inventory's has none: its objects are not
 * changes, its collections all added). `next` is what `rest_from` becomes (null: done).
 */
export function compareSection(
  g: RestStep,
  pages: (gen: number, section: RestSection) => SectionPage[],
  hadBefore: boolean,
): {
  change: { section: RestSection; added: string; removed: string; changed: string } | null;
  /** The change as recorded, for the desk's rules. */
  recorded: SectionChange | null;
  next: string | null;
} {
  const section = nextSection(g.rest_from);
  if (section === null) return { change: null, recorded: null, next: null };
  const next = REST_SECTIONS.at(-1) === section ? null : section;
  // Compared already by a batch that rewrote it after the swap: recorded then.
  if (aheadOf(g).includes(section)) return { change: null, recorded: null, next };
  const recorded = compareAhead(g, section, pages, hadBefore);
  return {
    change: recorded && {
      section,
      added: JSON.stringify(recorded.added),
      removed: JSON.stringify(recorded.removed),
      changed: JSON.stringify(recorded.changed),
    },
    recorded,
    next,
  };
}
