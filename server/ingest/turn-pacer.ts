// Bounds how much connection work one turn of the event loop does, so the API is answered during a
// reconnect storm. A request to the API waits for the turn in progress to end; in a storm one turn
// used to take every upgrade and hello whose bytes had arrived (up to 1,024 sockets an epoll wake),
// which held the loop for 100-400 ms at a time (CPU profile of a 2,000-agent storm, README Numbers).
// Each step of a connection's way in (the WebSocket upgrade, the hello's reads, the welcome and its
// lists) first waits for a place here: at most `perTurn` steps start in one turn and the others wait,
// in the order they came, for the following turns (setImmediate: a turn that polls for I/O, the API's
// requests among it, comes in between). Nothing is dropped or refused: the same work is done as
// fast as before, in shorter turns.

/** Connection steps started in one turn of the loop; ~0.1-0.5 ms of the loop each (bench/fleet). */
export const STEPS_PER_TURN = 16;

/** What a connection step waits on: a place in a turn of the loop. */
export interface Turns {
  place(): Promise<void>;
}

export class TurnPacer implements Turns {
  private readonly waiting: (() => void)[] = [];
  /** Steps started in the current turn. */
  private started = 0;
  private scheduled = false;

  constructor(
    private readonly perTurn = STEPS_PER_TURN,
    /** Runs a callback in the loop's next turn, after its I/O (setImmediate; tests step it by hand). */
    private readonly nextTurn: (callback: () => void) => void = (callback) => void setImmediate(callback),
  ) {
    if (!Number.isInteger(perTurn) || perTurn < 1) throw new RangeError('perTurn must be a whole number of at least 1');
  }

  /** Settles when this step may start: in this turn while it has room and nothing waits, else in a later one. */
  place(): Promise<void> {
    this.schedule();
    if (this.waiting.length === 0 && this.started < this.perTurn) {
      this.started++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Steps waiting for a later turn. */
  get queued(): number {
    return this.waiting.length;
  }

  /** The next turn starts a new count, and lets the oldest waiting steps go. */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.nextTurn(() => this.newTurn());
  }

  private newTurn(): void {
    this.scheduled = false;
    const go = this.waiting.splice(0, this.perTurn);
    this.started = go.length;
    for (const resolve of go) resolve();
    // Still counting this turn's steps (or more are waiting): the turn after starts afresh.
    if (this.started > 0) this.schedule();
  }
}
