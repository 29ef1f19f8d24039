// The first form of canonical JSON (sorted copies, then JSON.stringify), as protocol 2 defined the
// digest with it: its output is the contract the faster shared/canonical.ts must keep. Kept apart
// from the shipped code on purpose, so a change there cannot change the reference the tests hold it to.

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}

export function firstCanonical(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}
