// Prohibited-software name patterns: '*' (any run of characters) and '?' (one character), matched
// case-insensitively against the whole package name. Matching is a hand-written glob walk, not a
// regular expression, so no pattern can cause catastrophic backtracking and no character in a name
// or pattern ('c++', 'node.js', '[x]') has a special meaning beyond the two wildcards.
import { OutpostError } from '../../../shared/errors.js';
import { LiteralIndex } from './literal-index.js';

export const PATTERN_LIMITS = {
  /** Characters in one pattern. */
  patternLength: 200,
  /** Patterns in one list. */
  patterns: 1000,
  /** Characters of a settings file given to prohibitedFromText. */
  textLength: 1_000_000,
  /** Characters of a name looked at; longer names are cut (the inventory caps names at 1024). */
  nameLength: 1024,
} as const;

/** A pattern prepared for matching: folded code points, runs of '*' collapsed into one. */
interface CompiledPattern {
  source: string;
  folded: string;
  chars: string[];
  /** Literal text before the first and after the last wildcard, and every literal run: cheap
   * native string tests that reject most names before the glob walk. */
  prefix: string;
  suffix: string;
  literals: string[];
}

/** Returns a pattern (as written) that the name matches, or undefined. */
export type ProhibitedMatcher = (name: string) => string | undefined;

/** Case-folds the way both names and patterns are compared: NFC, then lower case, by code point. */
function fold(text: string): string {
  return text.normalize('NFC').toLowerCase();
}

/** True for a pattern that would match every name, or has nothing to match: always a mistake. */
export function isUselessPattern(pattern: string): boolean {
  return !/[^*?\s]/u.test(pattern);
}

function compilePattern(pattern: string): CompiledPattern | null {
  const trimmed = pattern.trim();
  if (isUselessPattern(trimmed)) return null;
  const folded = fold(trimmed.slice(0, PATTERN_LIMITS.patternLength)).replace(/\*+/g, '*');
  const chars = Array.from(folded);
  const literals = folded.split(/[*?]/u);
  const wild = literals.length > 1;
  return {
    source: trimmed,
    folded,
    chars,
    prefix: literals[0]!,
    suffix: wild ? literals[literals.length - 1]! : '',
    literals: literals.filter((l) => l.length > 0),
  };
}

/**
 * Glob match in O(name x pattern) at worst: on a mismatch it only ever returns to the most recent
 * '*', which is enough for '*' and '?' (there is nothing else a star could have to re-match).
 */
function globMatch(pattern: readonly string[], name: readonly string[]): boolean {
  let p = 0;
  let n = 0;
  let starP = -1;
  let starN = 0;
  while (n < name.length) {
    if (p < pattern.length && (pattern[p] === '?' || (pattern[p] !== '*' && pattern[p] === name[n]))) {
      p++;
      n++;
    } else if (p < pattern.length && pattern[p] === '*') {
      starP = p++;
      starN = n;
    } else if (starP !== -1) {
      p = starP + 1;
      n = ++starN;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}

/**
 * Which patterns a name could match, so that a name is not glob-matched against every pattern: each
 * pattern is filed under its longest literal run, which must occur in any name it matches.
 * 50,000 names against 1,000 patterns take well under a second this way.
 */
function indexPatterns(compiled: readonly CompiledPattern[]): (folded: string) => Iterable<CompiledPattern> {
  const index = new LiteralIndex<CompiledPattern>();
  for (const c of compiled) {
    const longest = c.literals.reduce((a, b) => (b.length > a.length ? b : a), '');
    // A pattern of only wildcards is refused by the schema and skipped when compiled.
    if (longest !== '') index.add(longest, c);
  }
  return (folded) => index.find(folded);
}

/** Prepares a pattern list once; the returned function tests one package name. */
export function compileProhibited(patterns: readonly string[]): ProhibitedMatcher {
  const unique = new Map<string, CompiledPattern>();
  for (const pattern of patterns.slice(0, PATTERN_LIMITS.patterns)) {
    const c = compilePattern(pattern);
    if (c && !unique.has(c.folded)) unique.set(c.folded, c);
  }
  const compiled = [...unique.values()];
  if (compiled.length === 0) return () => undefined;
  const candidatesFor = indexPatterns(compiled);
  return (name: string) => {
    const folded = fold(name.slice(0, PATTERN_LIMITS.nameLength));
    const candidates = candidatesFor(folded);
    let chars: string[] | undefined;
    for (const pattern of candidates) {
      if (!folded.startsWith(pattern.prefix) || !folded.endsWith(pattern.suffix)) continue;
      if (!pattern.literals.every((l) => folded.includes(l))) continue;
      chars ??= Array.from(folded);
      if (globMatch(pattern.chars, chars)) return pattern.source;
    }
    return undefined;
  };
}

/** The patterns as the store asks about names (store.ts ProhibitedTest): true when any matches. */
export function prohibitedTest(patterns: readonly string[]): (name: string) => boolean {
  const matcher = compileProhibited(patterns);
  return (name) => matcher(name) !== undefined;
}

/** True when the package name matches any of the patterns. Compile once with compileProhibited for many names. */
export function matchesProhibited(name: string, patterns: readonly string[]): boolean {
  return compileProhibited(patterns)(name) !== undefined;
}

/**
 * Reads a prohibited-software list: one pattern per line; blank lines and lines starting with '#'
 * are skipped, and ' #' after a pattern starts a comment ('C#' and 'F#' stay names). Duplicates
 * (ignoring case) are dropped. Throws E_CONFIG, naming the line, for anything over the limits.
 */
export function prohibitedFromText(text: string): string[] {
  if (text.length > PATTERN_LIMITS.textLength) {
    throw new OutpostError('E_CONFIG', `The prohibited-software list is longer than ${PATTERN_LIMITS.textLength} characters.`);
  }
  const seen = new Set<string>();
  const patterns: string[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((line, index) => {
    const pattern = line.replace(/(^|\s)#.*$/, '').trim();
    if (pattern === '') return;
    const where = `line ${index + 1}`;
    if (pattern.length > PATTERN_LIMITS.patternLength) {
      throw new OutpostError(
        'E_CONFIG',
        `Prohibited-software pattern on ${where} is longer than ${PATTERN_LIMITS.patternLength} characters.`,
        { line: index + 1 },
      );
    }
    if (isUselessPattern(pattern)) {
      throw new OutpostError('E_CONFIG', `Prohibited-software pattern on ${where} is only wildcards and would match every package.`, {
        line: index + 1,
      });
    }
    const folded = fold(pattern);
    if (seen.has(folded)) return;
    seen.add(folded);
    patterns.push(pattern);
    if (patterns.length > PATTERN_LIMITS.patterns) {
      throw new OutpostError('E_CONFIG', `The prohibited-software list holds more than ${PATTERN_LIMITS.patterns} patterns (${where}).`, {
        line: index + 1,
      });
    }
  });
  return patterns;
}
