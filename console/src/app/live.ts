// One EventSource on /api/events for the whole console. Pages subscribe to the events they show;
// EventSource reconnects on its own after a network drop or a server restart.
import { useEffect, useRef } from 'preact/hooks';
import type { LiveEventName, LiveEvents } from '../../../shared/http-api.js';

type Handler<N extends LiveEventName> = (data: LiveEvents[N]) => void;
const handlers: { [N in LiveEventName]: Set<Handler<N>> } = {
  presence: new Set(),
  inventory: new Set(),
  ticket: new Set(),
  deployment: new Set(),
};
const EVENT_NAMES = Object.keys(handlers) as LiveEventName[];
let source: EventSource | null = null;

export function startLive(): void {
  if (source || typeof EventSource === 'undefined') return;
  source = new EventSource('/api/events');
  for (const name of EVENT_NAMES) {
    source.addEventListener(name, (event) => dispatch(name, (event as MessageEvent<string>).data));
  }
}

export function stopLive(): void {
  source?.close();
  source = null;
}

function dispatch<N extends LiveEventName>(name: N, raw: string): void {
  let data: LiveEvents[N];
  try {
    data = JSON.parse(raw) as LiveEvents[N];
  } catch {
    return;
  }
  for (const handler of handlers[name]) handler(data);
}

/** Calls `handler` for each event of this name while the component is mounted. */
export function useLive<N extends LiveEventName>(name: N, handler: Handler<N>): void {
  const ref = useRef(handler);
  ref.current = handler;
  useEffect(() => {
    const call: Handler<N> = (data) => ref.current(data);
    (handlers[name] as Set<Handler<N>>).add(call);
    return () => {
      (handlers[name] as Set<Handler<N>>).delete(call);
    };
  }, [name]);
}
