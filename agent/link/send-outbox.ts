// Sends the outbox over a ready connection: batches in seq order until the send window is full or
// nothing is pending. An item too large for any frame the server accepts is set aside, not retried.
import type WebSocket from 'ws';
import { LIMITS } from '../../shared/protocol.js';
import type { Outbox } from '../outbox/outbox.js';
import { MAX_BATCH_BYTES, nextBatch } from './batch.js';
import type { SendWindow } from './send-window.js';

/** Throws when the outbox cannot be read or written; the caller decides what a failure costs. */
export function sendFromOutbox(ws: WebSocket, window: SendWindow, outbox: Outbox): void {
  for (let room = window.room(); room > 0; room = window.room()) {
    // About one batch's worth: a large item is read (and parsed) once, when its turn comes.
    const items = outbox.peek(window.sentThrough, room, MAX_BATCH_BYTES);
    if (items.length === 0) return;
    const batch = nextBatch(items, room);
    if (batch.kind === 'too-large') {
      outbox.setAside(batch.item.seq, 'E_FRAME_TOO_LARGE', `${batch.bytes} bytes; the server takes at most ${LIMITS.maxFrameBytes}`);
      continue;
    }
    ws.send(batch.frame);
    window.sent(batch.seqs, batch.frame.length);
  }
}
