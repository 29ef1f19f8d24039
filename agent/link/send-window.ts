// What the link has sent on this connection and the server has not acknowledged yet. Bounded in
// items (LIMITS.sendWindow) and in bytes: ticket files travel as items of up to ~14 MB each, and a
// window of 64 of them would hold most of a gigabyte in memory and in the socket's buffer.
import { LIMITS } from '../../shared/protocol.js';

/** Frames sent and not yet acknowledged, at most this many bytes (one large item always goes). */
export const MAX_IN_FLIGHT_BYTES = 2 * LIMITS.maxFrameBytes;

export class SendWindow {
  private seqs: number[] = [];
  private frames: { through: number; bytes: number }[] = [];
  private bytes = 0;
  /** The highest seq sent on this connection. */
  sentThrough = 0;

  /** How many more items may be sent now; 0 when the window is full. */
  room(): number {
    if (this.bytes >= MAX_IN_FLIGHT_BYTES) return 0;
    return Math.max(0, Math.min(LIMITS.maxBatchItems, LIMITS.sendWindow - this.seqs.length));
  }

  sent(seqs: readonly number[], frameBytes: number): void {
    const through = seqs.at(-1);
    if (through === undefined) return;
    this.seqs.push(...seqs);
    this.frames.push({ through, bytes: frameBytes });
    this.bytes += frameBytes;
    this.sentThrough = through;
  }

  /** The server acknowledged everything through `seq`; returns what may be deleted (never beyond what was sent). */
  acked(seq: number): number {
    const through = Math.min(seq, this.sentThrough);
    this.seqs = this.seqs.filter((s) => s > through);
    this.frames = this.frames.filter((f) => f.through > through);
    this.bytes = this.frames.reduce((n, f) => n + f.bytes, 0);
    return through;
  }

  reset(): void {
    this.seqs = [];
    this.frames = [];
    this.bytes = 0;
    this.sentThrough = 0;
  }
}
