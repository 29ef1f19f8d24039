// The server pings every 30 s; a connection that hears nothing (no ping, no message) for longer is
// dead even if TCP has not noticed. Each frame or ping restarts the countdown.
export class Heartbeat {
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(readonly timeoutMs: number) {}

  /** Restarts the countdown; `onSilent` runs when it runs out. */
  arm(onSilent: () => void): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(onSilent, this.timeoutMs);
  }

  stop(): void {
    clearTimeout(this.timer);
  }
}
