// Small helpers around a ws client socket.
import WebSocket, { type RawData } from 'ws';
import { CLOSE_CODES, LIMITS } from '../../shared/protocol.js';
import { DEFAULT_HANDSHAKE_TIMEOUT_MS, DEFLATE_THRESHOLD_BYTES } from './link-options.js';

/** A peer that does not answer our close frame in this long is cut off. */
const STOP_GRACE_MS = 2_000;

/** Opens a client socket to `url` with the link's limits; throws on a URL ws cannot use. */
export function dialServer(url: string, opts: { ca?: string; handshakeTimeoutMs?: number }): WebSocket {
  return new WebSocket(url, {
    perMessageDeflate: { threshold: DEFLATE_THRESHOLD_BYTES },
    maxPayload: LIMITS.maxFrameBytes,
    handshakeTimeout: opts.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS,
    ...(opts.ca ? { ca: opts.ca } : {}),
  });
}

/** Closes with 1000 (or aborts a handshake in progress); resolves once the socket is closed. */
export function closeSocket(ws: WebSocket): Promise<void> {
  if (ws.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => ws.terminate(), STOP_GRACE_MS);
    ws.once('close', () => {
      clearTimeout(force);
      resolve();
    });
    if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
    else if (ws.readyState === WebSocket.OPEN) ws.close(CLOSE_CODES.normal, 'agent stopping');
  });
}

export function rawText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
