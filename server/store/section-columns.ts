// Which of a device row's columns a batch rewrites, and which sections it reads for them and for the
// rows it rewrites (both engines): the display columns come from os, hardware, network and users,
// the posture columns from volumes and security; a swap rewrites both, a batch that changed other
// sections neither (so a change of one account does not read megabytes of adapters).
import { REST_SECTIONS, type RestSection } from '../../shared/stored-sections.js';
import type { BatchOutcome } from './store.js';

const DISPLAY: readonly RestSection[] = ['os', 'hardware', 'network', 'users'];
const POSTURE: readonly RestSection[] = ['volumes', 'security'];

/** The sections whose rows the outcome rewrites, and whether its columns are: all of them after a swap. */
export function sectionWrites(outcome: BatchOutcome): {
  sections: readonly RestSection[];
  display: boolean;
  posture: boolean;
} {
  const sections = outcome.snapshot?.sections ?? REST_SECTIONS;
  const all = outcome.swapped !== undefined || outcome.snapshot?.sections === undefined;
  const touches = (names: readonly RestSection[]) => all || names.some((n) => sections.includes(n));
  return { sections, display: touches(DISPLAY), posture: touches(POSTURE) };
}

/** Every section the writes read from the outcome's inventory (PostgreSQL loads them before writing). */
export function sectionsRead(outcome: BatchOutcome): RestSection[] {
  if (!outcome.snapshot || outcome.snapshot.restChanged === false) return [];
  const w = sectionWrites(outcome);
  return [...new Set([...w.sections, ...(w.display ? DISPLAY : []), ...(w.posture ? POSTURE : [])])];
}
