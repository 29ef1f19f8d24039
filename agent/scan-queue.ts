// Runs one inventory scan at a time. Requests that arrive while a scan runs are folded into the
// next one (the widest scope wins), so a burst of triggers costs at most one extra scan.
import type { ScanRequest, ScanScope } from './triggers/types.js';

export interface ScanOutcome {
  /** True when the scan recorded a change for the server. */
  changed: boolean;
}

type Run = (req: ScanRequest) => Promise<ScanOutcome>;

const WIDTH: Record<ScanScope, number> = { users: 0, software: 1, full: 2 };

export class ScanQueue {
  private running: Promise<void> | undefined;
  private next: { req: ScanRequest; waiters: ((o: ScanOutcome) => void)[]; failers: ((e: unknown) => void)[] } | undefined;

  constructor(private readonly run: Run) {}

  request(req: ScanRequest): Promise<ScanOutcome> {
    return new Promise((resolve, reject) => {
      if (this.next) {
        this.next.req = widen(this.next.req, req);
        this.next.waiters.push(resolve);
        this.next.failers.push(reject);
      } else {
        this.next = { req, waiters: [resolve], failers: [reject] };
      }
      this.running ??= this.drain();
    });
  }

  /** Resolves once no scan is running or waiting. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    try {
      while (this.next) {
        const { req, waiters, failers } = this.next;
        this.next = undefined;
        try {
          const outcome = await this.run(req);
          waiters.forEach((w) => w(outcome));
        } catch (err) {
          failers.forEach((f) => f(err));
        }
      }
    } finally {
      this.running = undefined;
    }
  }
}

function widen(a: ScanRequest, b: ScanRequest): ScanRequest {
  if (a.scope === b.scope) return a;
  const wider = WIDTH[b.scope] > WIDTH[a.scope] ? b : a;
  // Software plus users is not a subset of either: it needs a full scan.
  const scope: ScanScope = WIDTH[a.scope] + WIDTH[b.scope] === 1 ? 'full' : wider.scope;
  return { ...a, scope };
}
