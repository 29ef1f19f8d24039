// Server-sent events over one HTTP response: the wire format, and a bound on what may wait to be
// sent. A reader that stops reading (a suspended laptop, a stalled proxy) is cut off once its
// backlog passes the bound; the browser's EventSource reconnects and the console reloads its view.
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { LiveMessage } from './hub.js';

/** How long the browser waits before reconnecting after the stream ends. */
export const SSE_RETRY_MS = 3000;
/** What may queue for one reader before it is dropped: far above a burst of events (~200 B each). */
export const SSE_MAX_QUEUED_BYTES = 256 * 1024;

export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-store',
  // Stops nginx and similar proxies from holding events back in their response buffer.
  'x-accel-buffering': 'no',
  connection: 'keep-alive',
} as const;

const frames = new WeakMap<LiveMessage, string>();

/** `event: <name>\ndata: <json>\n\n`; JSON.stringify never emits a raw newline, so one data line. */
export function sseFrame(message: LiveMessage): string {
  // The hub hands every subscriber the same object: serialise it once, not once per stream.
  let frame = frames.get(message);
  if (frame === undefined) {
    frame = `event: ${message.name}\ndata: ${JSON.stringify(message.data)}\n\n`;
    frames.set(message, frame);
  }
  return frame;
}

/** A comment line: ignored by EventSource, but keeps proxies and NAT from timing the stream out. */
export const SSE_HEARTBEAT = ': heartbeat\n\n';

export type SseClosedBy = 'client' | 'overflow' | 'server';

/** One open event stream on a response whose headers this class writes. */
export class SseStream {
  private closedBy: SseClosedBy | null = null;

  constructor(
    private readonly res: ServerResponse,
    private readonly maxQueuedBytes: number = SSE_MAX_QUEUED_BYTES,
  ) {}

  /** Writes the headers and the reconnect delay; `extraHeaders` are those set by earlier hooks. */
  open(extraHeaders: Record<string, string | number | string[] | undefined> = {}): void {
    const headers: OutgoingHttpHeaders = { ...SSE_HEADERS };
    for (const [name, value] of Object.entries(extraHeaders)) {
      if (value !== undefined && !(name.toLowerCase() in SSE_HEADERS)) headers[name] = typeof value === 'number' ? String(value) : value;
    }
    this.res.writeHead(200, headers);
    this.write(`retry: ${SSE_RETRY_MS}\n\n`);
  }

  get closed(): boolean {
    return this.closedBy !== null || this.res.destroyed;
  }

  /** Why it closed, once it has. */
  get closeReason(): SseClosedBy | null {
    return this.closedBy ?? (this.res.destroyed ? 'client' : null);
  }

  send(message: LiveMessage): void {
    this.write(sseFrame(message));
  }

  heartbeat(): void {
    this.write(SSE_HEARTBEAT);
  }

  /** Ends the stream cleanly (server shutting down); the browser reconnects after the retry delay. */
  end(): void {
    if (this.closed) return;
    this.closedBy = 'server';
    this.res.end();
  }

  private write(chunk: string): void {
    if (this.closed) return;
    this.res.write(chunk);
    // writableLength counts what waits in the response and in its socket: the reader's backlog.
    if (this.res.writableLength > this.maxQueuedBytes) {
      this.closedBy = 'overflow';
      // destroy, not end: ending would queue behind the backlog and keep its memory.
      this.res.destroy();
    }
  }
}
