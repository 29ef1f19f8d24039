// Bounds the agents' frames the server holds in memory. A frame is inflated and held from the moment
// ws hands it over until its batch is acked, and a session that waits for a batch slot (batch-slots.ts)
// keeps its whole inflated frame meanwhile: in a mass first inventory every connected device's
// ~120 KB snapshot was held at once (1.2 GB at 10,000). Past HELD_FRAME_BYTES the gate stops reading
// every authenticated socket, so what agents still send waits in TCP (their windows and outboxes,
// nothing lost); below half of it, the sessions held back read again, a slice at a time and oldest
// first, so that the frames already in their kernel buffers do not all land at once.
// Enrol and hello never pass here: a reconnect storm is not held behind inventory.

/** Bytes of agents' frames held (read and not yet acked) at which the server stops reading more. */
export const HELD_FRAME_BYTES = 64 * 1024 * 1024;
/** Sessions given back their reading at once, each time a frame is done or a tick passes. */
export const RESUME_SLICE = 32;
/** How often held-back sessions are looked at when no frame finishes (an idle fleet). */
export const RESUME_TICK_MS = 250;

/** The part of a session the gate switches (AgentSession). */
export interface GatedReader {
  holdBack(): void;
  readAgain(): void;
}

export interface ReadGateOptions {
  limitBytes?: number;
  slice?: number;
  tickMs?: number;
}

export class ReadGate {
  private heldBytes = 0;
  private readonly reading = new Set<GatedReader>();
  /** Held back, oldest first (a Set keeps insertion order). */
  private readonly waiting = new Set<GatedReader>();
  private tick: NodeJS.Timeout | undefined;
  private readonly limit: number;
  private readonly slice: number;
  private readonly tickMs: number;

  constructor(opts: ReadGateOptions = {}) {
    this.limit = opts.limitBytes ?? HELD_FRAME_BYTES;
    this.slice = opts.slice ?? RESUME_SLICE;
    this.tickMs = opts.tickMs ?? RESUME_TICK_MS;
  }

  /** An authenticated session: it reads now, or waits its turn if the gate is shut. */
  join(reader: GatedReader): void {
    if (this.waiting.size > 0 || this.heldBytes >= this.limit) {
      reader.holdBack();
      this.wait(reader);
    } else this.reading.add(reader);
  }

  leave(reader: GatedReader): void {
    this.reading.delete(reader);
    this.waiting.delete(reader);
    if (this.waiting.size === 0) this.stopTicking();
  }

  isHeldBack(reader: GatedReader): boolean {
    return this.waiting.has(reader);
  }

  /** A frame of `bytes` was read; the function returned gives its bytes back once it is done (once). */
  hold(bytes: number): () => void {
    this.heldBytes += bytes;
    if (this.heldBytes >= this.limit) this.shut();
    let given = false;
    return () => {
      if (given) return;
      given = true;
      this.heldBytes -= bytes;
      this.readAgain();
    };
  }

  /** Bytes held now and sessions held back (for logs and tests). */
  get state(): { heldBytes: number; heldBack: number } {
    return { heldBytes: this.heldBytes, heldBack: this.waiting.size };
  }

  stop(): void {
    this.stopTicking();
  }

  private shut(): void {
    for (const reader of this.reading) {
      reader.holdBack();
      this.wait(reader);
    }
    this.reading.clear();
  }

  private wait(reader: GatedReader): void {
    this.waiting.add(reader);
    this.tick ??= setInterval(() => this.readAgain(), this.tickMs);
    this.tick.unref?.();
  }

  /** Below half the limit, the oldest held-back sessions read again, a slice at a time. */
  private readAgain(): void {
    if (this.heldBytes >= this.limit / 2) return;
    let n = 0;
    for (const reader of this.waiting) {
      if (n++ === this.slice) break;
      this.waiting.delete(reader);
      this.reading.add(reader);
      reader.readAgain();
    }
    if (this.waiting.size === 0) this.stopTicking();
  }

  private stopTicking(): void {
    clearInterval(this.tick);
    this.tick = undefined;
  }
}
