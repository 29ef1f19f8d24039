// GET /api/events: the console's live view as server-sent events (shared/http-api.ts LiveEvents).
// The request is already authenticated by the API's global hook. Events are not replayed after a
// reconnect: the console reloads what it shows when its EventSource (re)opens.
import type { FastifyInstance } from 'fastify';
import type { Logger } from '../../shared/log.js';
import type { LiveHub } from '../live/hub.js';
import { SSE_MAX_QUEUED_BYTES, SseStream } from '../live/sse.js';
import { sendError } from './errors.js';
import { route } from './route.js';

/** Under the 30-60 s idle timeouts common in proxies and load balancers. */
export const EVENTS_HEARTBEAT_MS = 25_000;
/** Open streams at once: one per console tab, so far above what an IT team keeps open. */
export const EVENTS_MAX_STREAMS = 100;

export interface EventRoutesContext {
  hub: LiveHub;
  log: Logger;
  /** Tests shorten these. */
  heartbeatMs?: number;
  maxStreams?: number;
  maxQueuedBytes?: number;
}

export function eventRoutes(app: FastifyInstance, ctx: EventRoutesContext): void {
  const heartbeatMs = ctx.heartbeatMs ?? EVENTS_HEARTBEAT_MS;
  const maxStreams = ctx.maxStreams ?? EVENTS_MAX_STREAMS;
  const maxQueuedBytes = ctx.maxQueuedBytes ?? SSE_MAX_QUEUED_BYTES;
  const open = new Set<SseStream>();

  // preClose runs before the server waits for its connections: streams end cleanly instead of
  // holding app.close() open until forceCloseConnections cuts them.
  app.addHook('preClose', (done) => {
    for (const stream of open) stream.end();
    done();
  });

  route(app, 'GET /api/events', { summary: 'Live events for the console (text/event-stream)' }, async ({ req, reply }) => {
    if (open.size >= maxStreams) {
      ctx.log.warn({ open: open.size }, 'live event stream refused: too many open');
      return sendError(reply.header('retry-after', '10'), 503, 'E_BUSY', `At most ${maxStreams} live event streams may be open at once.`);
    }
    const res = reply.raw;
    // From here on the response is this route's own: Fastify neither serialises nor ends it.
    void reply.hijack();
    const stream = new SseStream(res, maxQueuedBytes);
    open.add(stream);
    const unsubscribe = ctx.hub.subscribe((message) => stream.send(message));
    const heartbeat = setInterval(() => stream.heartbeat(), heartbeatMs);
    res.on('error', (err) => ctx.log.debug({ err: err.message }, 'live event stream error'));
    res.once('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
      open.delete(stream);
      const reason = stream.closeReason ?? 'client';
      if (reason === 'overflow') ctx.log.warn({ maxQueuedBytes }, 'live event reader too slow; stream dropped');
      ctx.log.debug({ reason, open: open.size }, 'live event stream closed');
    });
    stream.open(reply.getHeaders());
    ctx.log.debug({ open: open.size, ip: req.ip }, 'live event stream opened');
    return reply;
  });
}
