// A package's detection rule against the inventory: an entry with its name (case-insensitively) and,
// when the rule names one, its version.
import type { Detection } from '../../shared/deploy.js';
import type { Software } from '../../shared/inventory.js';

export function detects(software: readonly Software[], rule: Detection): boolean {
  const name = rule.name.toLowerCase();
  return software.some((s) => s.name.toLowerCase() === name && (rule.version === undefined || s.version === rule.version));
}
