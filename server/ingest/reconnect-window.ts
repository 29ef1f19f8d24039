// How widely this server asks its fleet to spread reconnects (welcome.reconnectSpreadSeconds), from
// what it measures rather than a constant: the fleet's size and the rate at which it takes
// connections in (WebSocket handshake and hello, the welcome sent).
//
// The rate: every second, the welcomes of that second divided by the event loop's busy time in it,
// i.e. welcomes per second of a fully busy loop. Handshakes, hellos and everything else the loop did
// meanwhile (the first batches of those just welcomed, the API) count as their cost, so the figure
// is what this process sustains with its usual work beside, on this machine at its current load (a
// loop waiting for a core on a shared box counts as busy). A second with few welcomes says little
// and is skipped; until the first sample the prior is used. The rate is the recent welcomes over the
// recent busy time, both summed with weights that halve every HALF_LIFE_WELCOMES welcomes, not every
// second: a storm's tail (a few dozen stragglers a second, each second's busy time mostly the fleet's
// usual work) must not talk down what the storm's peak measured, or the next window grows, the next
// storm comes back slower, measures less and grows it again. Samples taken during one restart's storm
// size the window its agents carry into the next.
//
// The fleet: the devices seen in the last RECENT_FLEET_DAYS (read from the store now and then), or
// the connections held now if more. Counting only the connections held would tell the first agents
// welcomed after a restart that the fleet is tiny, and they would all come back at once next time.

/** Welcomes a second below which the second is not a sample (its busy time is mostly other work). */
export const MIN_SAMPLE_WELCOMES = 20;
/** Welcomes after which what was measured before them weighs half. */
export const HALF_LIFE_WELCOMES = 2_000;
/** The rate assumed before the first sample (measured on a loaded 2-core box, bench/fleet). */
export const PRIOR_RATE = 300;
/** Bounds on the rate, whatever is measured. */
export const MIN_RATE = 20;
export const MAX_RATE = 5_000;
/** The share of the loop a storm is planned to take: the API and ingest keep the rest. */
export const STORM_SHARE = 0.7;
export const MAX_RECONNECT_SPREAD_S = 600;
/** Devices seen this recently count in the fleet that may come back after a restart. */
export const RECENT_FLEET_DAYS = 30;
const SAMPLE_MS = 1_000;
const FLEET_REFRESH_MS = 10 * 60_000;

/** The rate measured by this process's last run (reconnect-rate-file.ts): the prior of the next. */
export interface RememberedRate {
  read(): number | undefined;
  write(rate: number): void;
}

/** How often a measured rate is written down, at most. */
const REMEMBER_MS = 60_000;

export interface ReconnectWindowOptions {
  /** Milliseconds the event loop has been busy since some fixed point (performance.eventLoopUtilization().active). */
  loopBusyMs: () => number;
  /** Devices seen since this epoch ms (the store); a failure keeps the last count. */
  devicesSeenSince?: (sinceMs: number) => Promise<number>;
  now: () => number;
  prior?: number;
  /** Read at start (over the prior) and written while measuring and at stop. */
  remembered?: RememberedRate;
}

export class ReconnectWindow {
  private rate: number;
  private measured = false;
  /** Welcomes and busy seconds of the samples so far, weighted by how recent (HALF_LIFE_WELCOMES). */
  private recentWelcomes = 0;
  private recentBusyS = 0;
  private welcomes = 0;
  private busyAtSample = 0;
  private recentFleet = 0;
  private sampler: NodeJS.Timeout | undefined;
  private refresher: NodeJS.Timeout | undefined;
  private rememberer: NodeJS.Timeout | undefined;
  /** A rate measured since it was last written down. */
  private unwritten = false;

  constructor(private readonly opts: ReconnectWindowOptions) {
    this.rate = opts.prior ?? PRIOR_RATE;
  }

  start(): void {
    const remembered = this.opts.remembered?.read();
    if (remembered !== undefined) this.rate = Math.min(MAX_RATE, Math.max(MIN_RATE, remembered));
    if (this.opts.remembered) {
      this.rememberer = setInterval(() => this.remember(), REMEMBER_MS);
      this.rememberer.unref();
    }
    this.busyAtSample = this.opts.loopBusyMs();
    this.welcomes = 0;
    this.sampler = setInterval(() => this.sample(), SAMPLE_MS);
    this.sampler.unref();
    if (!this.opts.devicesSeenSince) return;
    void this.refreshFleet();
    this.refresher = setInterval(() => void this.refreshFleet(), FLEET_REFRESH_MS);
    this.refresher.unref();
  }

  stop(): void {
    clearInterval(this.sampler);
    clearInterval(this.refresher);
    clearInterval(this.rememberer);
    this.remember();
  }

  private remember(): void {
    if (!this.unwritten || !this.opts.remembered) return;
    this.unwritten = false;
    try {
      this.opts.remembered.write(this.rate);
    } catch {
      // a read-only or full disk: the next start uses the prior, as with no file
    }
  }

  /** A connection was welcomed (enrol or hello accepted). */
  welcomed(): void {
    this.welcomes++;
  }

  /** The spread to announce while `connected` agents are held. */
  spreadSeconds(connected: number): number {
    const fleet = Math.max(0, connected, this.recentFleet);
    return Math.min(MAX_RECONNECT_SPREAD_S, Math.ceil(fleet / (this.rate * STORM_SHARE)));
  }

  private sample(): void {
    const busy = this.opts.loopBusyMs();
    const busyS = (busy - this.busyAtSample) / 1000;
    const welcomes = this.welcomes;
    this.busyAtSample = busy;
    this.welcomes = 0;
    if (welcomes < MIN_SAMPLE_WELCOMES || busyS <= 0) return;
    const weight = this.measured ? 0.5 ** (welcomes / HALF_LIFE_WELCOMES) : 0;
    this.recentWelcomes = this.recentWelcomes * weight + welcomes;
    this.recentBusyS = this.recentBusyS * weight + busyS;
    this.rate = Math.min(MAX_RATE, Math.max(MIN_RATE, this.recentWelcomes / this.recentBusyS));
    this.measured = true;
    this.unwritten = true;
  }

  private async refreshFleet(): Promise<void> {
    try {
      const since = this.opts.now() - RECENT_FLEET_DAYS * 24 * 3_600_000;
      this.recentFleet = await this.opts.devicesSeenSince!(since);
    } catch {
      // keep the last count: the connections held still bound the spread from below
    }
  }
}
