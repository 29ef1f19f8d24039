// The sweeper's step over the other sections (both engines): when a swap retired a generation, what
// changed in its sections other than software is recorded one section a step, each step reading that
// section of the two generations only (shared/stored-sections.ts), so no step costs O(the snapshot).
import { joinSection, REST_SECTIONS, sectionChange, type RestSection, type SectionPage } from '../../shared/stored-sections.js';

/** A retired generation still to be compared: `rest_from` is the last section compared ('' none). */
export interface RestStep {
  gen: number;
  replaced_by: number;
  rest_from: string;
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
): { change: { section: RestSection; added: string; removed: string; changed: string } | null; next: string | null } {
  const section = nextSection(g.rest_from);
  if (section === null) return { change: null, next: null };
  const before = hadBefore ? joinSection(section, pages(g.gen, section)) : undefined;
  const after = joinSection(section, pages(g.replaced_by, section));
  const c = sectionChange(section, before, after, hadBefore);
  const next = REST_SECTIONS.at(-1) === section ? null : section;
  const recorded = c && (c.added.length || c.removed.length || c.changed.length) ? c : null;
  return {
    change: recorded && {
      section,
      added: JSON.stringify(recorded.added),
      removed: JSON.stringify(recorded.removed),
      changed: JSON.stringify(recorded.changed),
    },
    next,
  };
}
