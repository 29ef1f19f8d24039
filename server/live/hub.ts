// The server's in-process event bus for the console's live view: parts that notice something
// (ingest, ticket routes, the desk sync) publish; each open /api/events stream subscribes.
// Delivery is synchronous and the hub keeps no queue, so it holds no memory for a slow reader:
// whatever a subscriber cannot pass on at once is its own to bound (see sse.ts).
import type { LiveEventName, LiveEvents } from '../../shared/http-api.js';
import { silentLogger, type Logger } from '../../shared/log.js';

/** One published event; the same frozen object reaches every subscriber. */
export type LiveMessage = { [K in LiveEventName]: Readonly<{ name: K; data: Readonly<LiveEvents[K]> }> }[LiveEventName];
export type LiveListener = (message: LiveMessage) => void;

/** What a publisher needs: parts that only publish take this, not the whole hub. */
export interface LivePublisher {
  publish<K extends LiveEventName>(name: K, data: LiveEvents[K]): void;
}

export class LiveHub implements LivePublisher {
  private readonly listeners = new Set<LiveListener>();

  constructor(private readonly log: Logger = silentLogger) {}

  publish<K extends LiveEventName>(name: K, data: LiveEvents[K]): void {
    if (this.listeners.size === 0) return;
    const message = Object.freeze({ name, data: Object.freeze({ ...data }) }) as LiveMessage;
    // A copy: a listener may unsubscribe itself (or another) while being told.
    for (const listener of [...this.listeners]) {
      if (!this.listeners.has(listener)) continue;
      try {
        listener(message);
      } catch (err) {
        // One broken subscriber must not keep the event from the others or fail the publisher.
        this.log.warn({ err: err instanceof Error ? err.message : String(err), event: name }, 'live event listener failed');
      }
    }
  }

  /** Returns the unsubscribe function; calling it more than once is harmless. */
  subscribe(listener: LiveListener): () => void {
    // Wrapped so that the same function subscribed twice is two subscriptions, each removable alone.
    const entry: LiveListener = (message) => listener(message);
    this.listeners.add(entry);
    return () => {
      this.listeners.delete(entry);
    };
  }

  get subscriberCount(): number {
    return this.listeners.size;
  }
}

/** For parts built without a hub (tests, tools): publishing goes nowhere. */
export const noLivePublisher: LivePublisher = { publish: () => undefined };
