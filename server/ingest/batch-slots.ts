// How many agents' batches the server holds at once between reading a frame and acking it. With the
// database work off the event loop (the SQLite store worker, PostgreSQL's pool), the loop would
// otherwise parse every connected agent's frame as it arrives and queue them all for the store: a
// mass first inventory of 10,000 devices would hold 10,000 parsed snapshots. A session waits for a
// slot before it parses its frame; until then its socket stays paused, so the agent's window fills
// and its outbox keeps the items (only the ack is later). Enrol and hello never wait: a reconnect
// storm must not queue behind inventory.
export const BATCH_SLOTS = 32;

export class BatchSlots {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(size: number = BATCH_SLOTS) {
    this.free = size;
  }

  /** Resolves with the function that gives the slot back (call it once). */
  async take(): Promise<() => void> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    let given = false;
    return () => {
      if (given) return;
      given = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    };
  }

  /** Batches waiting for a slot (for tests and logs). */
  get queued(): number {
    return this.waiting.length;
  }
}
