// What travels on the fleet channel (NOTIFY payloads, at most ~8,000 bytes in PostgreSQL): a signal
// for the process holding a device's socket, live events for every process (several in one payload:
// a burst of batches would otherwise be one NOTIFY each, a round trip and a wake-up of every
// listening process per batch), a wake-up for a topic.
// Checked when read: the database is shared, so a payload is data, never trusted to be well formed.
import { z } from 'zod';
import type { LiveEventName } from '../../shared/http-api.js';
import { DeviceSignalSchema, WAKE_TOPICS } from './bus.js';

/** Below PostgreSQL's 8,000-byte NOTIFY limit, with room for the channel name. */
export const MAX_PAYLOAD_BYTES = 7_500;

// Every live event of the shared map, checked by the compiler: one added there must be named here.
const LIVE_EVENTS: Record<LiveEventName, true> = { presence: true, inventory: true, ticket: true, deployment: true };
const LIVE_NAMES = Object.keys(LIVE_EVENTS) as [LiveEventName, ...LiveEventName[]];

const LiveEventSchema = z.object({ name: z.enum(LIVE_NAMES), data: z.record(z.string(), z.unknown()) });
export type FleetLiveEvent = z.infer<typeof LiveEventSchema>;

export const FleetMessageSchema = z.discriminatedUnion('k', [
  z.object({ k: z.literal('signal'), from: z.string(), to: z.string(), signal: DeviceSignalSchema }),
  // One event: what processes before the coalescing sent; still understood.
  z.object({ k: z.literal('live'), from: z.string(), name: z.enum(LIVE_NAMES), data: z.record(z.string(), z.unknown()) }),
  z.object({ k: z.literal('lives'), from: z.string(), events: z.array(LiveEventSchema).min(1) }),
  z.object({ k: z.literal('wake'), from: z.string(), topic: z.enum(WAKE_TOPICS) }),
]);
export type FleetMessage = z.infer<typeof FleetMessageSchema>;

export function parseFleetMessage(payload: string): FleetMessage | null {
  try {
    const parsed = FleetMessageSchema.safeParse(JSON.parse(payload));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** The payload, or null when it would not fit in one NOTIFY. */
export function encodeFleetMessage(message: FleetMessage): string | null {
  const payload = JSON.stringify(message);
  return Buffer.byteLength(payload) <= MAX_PAYLOAD_BYTES ? payload : null;
}

/**
 * Live events packed into as few payloads as fit, in order. An event too large for a payload on its
 * own is left out and counted (`dropped`), as a single oversized message always was.
 */
export function encodeLiveEvents(from: string, events: readonly FleetLiveEvent[]): { payloads: string[]; dropped: number } {
  const head = `{"k":"lives","from":${JSON.stringify(from)},"events":[`;
  const fixed = Buffer.byteLength(head) + 2; // the closing "]}"
  const payloads: string[] = [];
  let dropped = 0;
  let parts: string[] = [];
  let bytes = fixed;
  const close = () => {
    if (parts.length > 0) payloads.push(`${head}${parts.join(',')}]}`);
    parts = [];
    bytes = fixed;
  };
  for (const event of events) {
    const part = JSON.stringify({ name: event.name, data: event.data });
    const size = Buffer.byteLength(part) + 1;
    if (fixed + size > MAX_PAYLOAD_BYTES) {
      dropped++;
      continue;
    }
    if (bytes + size > MAX_PAYLOAD_BYTES) close();
    parts.push(part);
    bytes += size;
  }
  close();
  return { payloads, dropped };
}
