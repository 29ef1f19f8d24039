// Runs the store's software cleanup (Store.sweepSoftware) in small steps, one per turn of the event
// loop, whenever a batch left a generation behind, and once at start for what a previous run left.
// Each step handles at most `stepRows` rows, so the cleanup of a large snapshot never holds the loop
// the way deleting it in one go would.
// Each step runs as a store job with the desk's rules as they are then, so that what it records in
// the history raises desk events (new hardware, prohibited software) as a batch's changes do.
import type { Logger } from '../../shared/log.js';
import type { Store } from '../store/store.js';
import type { BatchInput } from './batch-job.js';
import { sweepStep } from './sweep-job.js';

/** Rows one step handles (about what one batch applies): a step runs between batches. */
export const SWEEP_STEP_ROWS = 500;

export class SoftwareSweeper {
  private running = false;
  private stopped = true;
  private again = false;

  constructor(
    private readonly store: Pick<Store, 'runJob'>,
    private readonly log: Logger,
    private readonly now: () => number,
    private readonly stepRows: number = SWEEP_STEP_ROWS,
    /** The desk's rules now (null or absent: no desk, no events). */
    private readonly deskRules: () => BatchInput['desk'] = () => null,
  ) {}

  start(): void {
    this.stopped = false;
    this.poke();
  }

  stop(): void {
    this.stopped = true;
  }

  /** There may be work: run until none is left (a call while running makes it look again). */
  poke(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    void this.run();
  }

  private async run(): Promise<void> {
    try {
      do {
        this.again = false;
        while (!this.stopped && (await this.store.runJob(sweepStep, this.stepRows, this.now(), this.deskRules())) > 0) {
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
      } while (this.again && !this.stopped);
    } catch (err) {
      // The rows stay listed as garbage; the next poke tries again.
      this.log.error({ err: (err as Error).message }, 'software cleanup step failed');
    } finally {
      this.running = false;
    }
  }
}
