// The console's prohibited patterns, kept in memory: the rule engine reads them on every inventory
// batch synchronously, so it cannot wait on the store. Reloaded at start and after each change.
import type { Store } from '../../store/store.js';

export class ConsoleProhibitedList {
  private current: readonly string[] = [];

  constructor(private readonly store: Pick<Store, 'listProhibited'>) {}

  get patterns(): readonly string[] {
    return this.current;
  }

  async refresh(): Promise<void> {
    this.current = (await this.store.listProhibited()).map((r) => r.pattern);
  }
}
