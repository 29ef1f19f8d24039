// The prohibited-software patterns in force: the server's settings (read-only) and the console's
// (kept in the store). Held in memory because the rule engine reads them synchronously on every
// inventory batch; reloaded at start and after each console change.
import type { Store } from '../../store/store.js';
import { isUselessPattern } from './patterns.js';

export interface ListedPattern {
  pattern: string;
  source: 'console' | 'config';
}

/** Patterns are compared as the matcher compares names: NFC, any case. */
export const foldPattern = (pattern: string) => pattern.normalize('NFC').toLowerCase();

export class ProhibitedList {
  private fromConsole: readonly string[] = [];

  constructor(
    private readonly store: Pick<Store, 'listProhibited'>,
    /** The settings' patterns (source 'config'). */
    private readonly config: () => readonly string[],
  ) {}

  async refresh(): Promise<void> {
    this.fromConsole = (await this.store.listProhibited()).map((r) => r.pattern);
  }

  /** The console's patterns: what the desk's rule engine adds to its settings' own list. */
  get consolePatterns(): readonly string[] {
    return this.fromConsole;
  }

  /** Console patterns first (oldest first), then the settings' ones; one entry per pattern ignoring case, settings winning. */
  listed(): ListedPattern[] {
    const config = this.configPatterns();
    const fromConfig = new Set(config.map(foldPattern));
    const seen = new Set<string>();
    const listed: ListedPattern[] = [];
    const candidates = [
      ...this.fromConsole.filter((p) => !fromConfig.has(foldPattern(p))).map((pattern) => ({ pattern, source: 'console' as const })),
      ...config.map((pattern) => ({ pattern, source: 'config' as const })),
    ];
    for (const c of candidates) {
      if (seen.has(foldPattern(c.pattern))) continue;
      seen.add(foldPattern(c.pattern));
      listed.push(c);
    }
    return listed;
  }

  /** Every pattern in force, as the matcher takes them. */
  inForce(): string[] {
    return this.listed().map((p) => p.pattern);
  }

  /** True for a pattern that comes from the settings (it cannot be removed in the console). */
  isFromConfig(pattern: string): boolean {
    return this.configPatterns().some((p) => foldPattern(p) === foldPattern(pattern));
  }

  private configPatterns(): string[] {
    return this.config()
      .map((p) => p.trim())
      .filter((p) => !isUselessPattern(p));
  }
}
