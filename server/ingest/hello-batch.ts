// The hellos of one turn of the loop, recorded in one store call. In a reconnect storm every hello
// was a round trip to the SQLite store worker and a transaction of its own, and the commit was most
// of what the worker spent on a hello (CPU profile of a 2,000-agent storm: 0.38 ms a hello, 0.2 of
// it committing); the main thread's postMessage was ~0.2 ms a hello more on that loaded box. Hellos
// asked for in one turn (turn-pacer.ts lets at most 16 through) now go together in the next, as
// Store.recordHellos: one message each way and one commit. A store without recordHellos
// (PostgreSQL) records each hello as before.
import type { DeviceHello, DeviceRuntime, HelloRecord, Store } from '../store/store.js';

interface Waiting extends DeviceHello {
  resolve: (runtime: DeviceRuntime | null) => void;
  reject: (err: Error) => void;
}

export class HelloBatcher {
  private waiting: Waiting[] = [];

  constructor(
    private readonly store: Pick<Store, 'recordHello' | 'recordHellos'>,
    /** Runs a callback in the loop's next turn (setImmediate; tests step it by hand). */
    private readonly nextTurn: (callback: () => void) => void = (callback) => void setImmediate(callback),
  ) {}

  /** Store.recordHello's answer, recorded with the other hellos of this turn. */
  record(deviceId: string, hello: HelloRecord): Promise<DeviceRuntime | null> {
    if (!this.store.recordHellos) return this.store.recordHello(deviceId, hello);
    return new Promise((resolve, reject) => {
      if (this.waiting.push({ deviceId, hello, resolve, reject }) === 1) this.nextTurn(() => void this.flush());
    });
  }

  private async flush(): Promise<void> {
    const batch = this.waiting;
    this.waiting = [];
    try {
      const outcomes = await this.store.recordHellos!(batch.map(({ deviceId, hello }) => ({ deviceId, hello })));
      batch.forEach((w, i) => {
        const outcome = outcomes[i];
        if (outcome && 'runtime' in outcome) w.resolve(outcome.runtime);
        else w.reject(new Error(outcome?.error ?? 'the store did not answer this hello'));
      });
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      for (const w of batch) w.reject(error);
    }
  }
}
