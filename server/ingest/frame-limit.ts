// The largest message a connection accepts, which is small until the device has authenticated.
// ws applies one maxPayload per server, both to the frames as sent and to a compressed message as
// inflated (it stops inflating once the output passes the limit), so the gateway's server is made
// with the small pre-authentication limit and each connection gets the large one once authenticated.
// ws exposes no setter for this; the two fields below are where ws 8 keeps the limit, checked at
// startup (checkFrameLimitSupport) so that a ws upgrade that moves them fails loudly, not silently.
import type { WebSocket } from 'ws';

interface LimitHolder {
  _maxPayload?: unknown;
}

function holders(ws: WebSocket): { receiver: LimitHolder | undefined; deflate: LimitHolder | undefined } {
  const internals = ws as unknown as { _receiver?: LimitHolder; _extensions?: Record<string, LimitHolder | undefined> };
  return { receiver: internals._receiver, deflate: internals._extensions?.['permessage-deflate'] };
}

/** Lets an authenticated connection receive messages up to `bytes` (as sent and as inflated). */
export function raiseFrameLimit(ws: WebSocket, bytes: number): void {
  const { receiver, deflate } = holders(ws);
  if (typeof receiver?._maxPayload !== 'number') throw new Error('ws keeps its payload limit elsewhere; raiseFrameLimit needs updating');
  receiver._maxPayload = bytes;
  if (deflate && typeof deflate._maxPayload === 'number') deflate._maxPayload = bytes;
}

/** Throws unless this connection keeps its limits where raiseFrameLimit changes them. */
export function checkFrameLimitSupport(ws: WebSocket, expected: number): void {
  const { receiver, deflate } = holders(ws);
  if (receiver?._maxPayload !== expected || (deflate !== undefined && deflate._maxPayload !== expected)) {
    throw new Error('ws keeps its payload limit elsewhere; raiseFrameLimit needs updating');
  }
}
