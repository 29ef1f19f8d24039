// Presence and last-seen writes gathered into one store transaction. In a reconnect storm each
// connection that opens or closes marks its device (online, offline, last seen): one transaction
// each cost the store worker a round trip and a commit per device. Marks made while a write is in
// flight, or in the same turn of the loop, leave together in the next one; each mark's promise
// settles when the transaction holding it has committed (or failed), so a caller that waits for its
// mark (a session closing, the server stopping) knows it is written.
import type { DeviceMark } from '../store/store.js';

export class DeviceMarks {
  private pending = new Map<string, DeviceMark>();
  private waiting: { resolve: () => void; reject: (err: unknown) => void }[] = [];
  private writing: Promise<void> = Promise.resolve();
  private scheduled = false;

  constructor(private readonly write: (marks: readonly DeviceMark[]) => Promise<void>) {}

  /** Marks the device; the latest online flag and the latest seen time win within one write. */
  mark(mark: DeviceMark): Promise<void> {
    const before = this.pending.get(mark.deviceId);
    this.pending.set(mark.deviceId, merged(before, mark));
    const written = new Promise<void>((resolve, reject) => this.waiting.push({ resolve, reject }));
    if (!this.scheduled) {
      this.scheduled = true;
      // After this turn of the loop (its other connections' marks) and after the write in flight.
      setImmediate(() => {
        this.writing = this.writing.then(() => this.flush());
      });
    }
    return written;
  }

  /** Settles once every mark made so far is written. */
  async settled(): Promise<void> {
    while (this.scheduled || this.pending.size > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    await this.writing;
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    const marks = [...this.pending.values()];
    const waiting = this.waiting;
    this.pending = new Map();
    this.waiting = [];
    try {
      await this.write(marks);
      for (const w of waiting) w.resolve();
    } catch (err) {
      for (const w of waiting) w.reject(err);
    }
  }
}

function merged(before: DeviceMark | undefined, mark: DeviceMark): DeviceMark {
  if (!before) return { ...mark };
  const seenAt = Math.max(before.seenAt ?? -Infinity, mark.seenAt ?? -Infinity);
  return {
    deviceId: mark.deviceId,
    ...((mark.online ?? before.online) === undefined ? {} : { online: mark.online ?? before.online }),
    ...(seenAt === -Infinity ? {} : { seenAt }),
  };
}
