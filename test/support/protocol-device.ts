// A device speaking the agent protocol directly (enrol or hello, item batches, acks), for tests that
// need exact control over what a device sends: a hostile one, or one whose server dies mid-sequence.
import WebSocket from 'ws';
import { snapshotDigest } from '../../shared/digest.js';
import type { Snapshot, Software } from '../../shared/inventory.js';
import { snapshotParts } from '../../shared/inventory-parts.js';
import { normaliseSnapshot } from '../../shared/normalise.js';
import { PROTOCOL_VERSION } from '../../shared/protocol.js';
import { waitFor } from './outpost.js';

export interface Frame {
  type: string;
  code?: string;
  fatal?: boolean;
  seq?: number;
  lastSeq?: number;
  command?: string;
  deviceId?: string;
  secret?: string;
}

export interface ProtocolDevice {
  ws: WebSocket;
  deviceId: string;
  secret: string;
  /** The welcome's lastSeq: the last item the server holds. */
  lastSeq: number;
  /** Sends one batch and waits for its ack; the frames the server answered with. */
  batch(items: object[]): Promise<Frame[]>;
  close(): void;
}

export const packages = (prefix: string, n: number): Software[] =>
  Array.from({ length: n }, (_, i) => ({ name: `${prefix}-${i}`, version: '1', source: 'dpkg', scope: 'machine' }));

/** The items of a full snapshot in parts, as the agent's outbox builds them, seqs from `first` on. */
export function partItems(
  snapshot: Snapshot,
  first: number,
  trigger = 'startup',
): { seq: number; at: string; kind: string; body: object }[] {
  const at = new Date().toISOString();
  return snapshotParts(normaliseSnapshot(snapshot), snapshotDigest(snapshot), trigger as 'startup', first).map((body, i) => ({
    seq: first + i,
    at,
    kind: 'inventory.part',
    body,
  }));
}

/** Enrols with `auth.token`, or says hello with a device's credentials. */
export async function protocolDevice(
  url: string,
  auth: { token: string; installId: string } | { deviceId: string; secret: string },
): Promise<ProtocolDevice> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/agent`, { perMessageDeflate: true, maxPayload: 64 * 1024 * 1024 });
  const frames: Frame[] = [];
  ws.on('message', (data: Buffer) => frames.push(JSON.parse(data.toString()) as Frame));
  ws.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const after = (from: number, type: string) => waitFor(() => frames.slice(from).find((f) => f.type === type), 60_000, type);
  const hints = { installId: 'installId' in auth ? auth.installId : 'protocol-device-0001', hostname: 'protocol-device', macs: [] };
  const first =
    'token' in auth
      ? { type: 'enrol', protocol: PROTOCOL_VERSION, agentVersion: 'test', token: auth.token, hints }
      : { type: 'hello', protocol: PROTOCOL_VERSION, agentVersion: 'test', deviceId: auth.deviceId, secret: auth.secret, hints };
  ws.send(JSON.stringify(first));
  const welcome = await after(0, 'welcome');
  const enrolled = frames.find((f) => f.type === 'enrolled');
  const secret = enrolled?.secret ?? ('secret' in auth ? auth.secret : '');
  return {
    ws,
    deviceId: welcome.deviceId!,
    secret,
    lastSeq: welcome.lastSeq ?? 0,
    batch: async (items) => {
      const from = frames.length;
      ws.send(JSON.stringify({ type: 'items', items }));
      await after(from, 'ack');
      return frames.slice(from);
    },
    close: () => ws.terminate(),
  };
}
