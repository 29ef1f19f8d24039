// What the outbox accepts: schema-valid, normalised, and small enough for one frame.
import { OutpostError } from '../../shared/errors.js';
import { SnapshotSchema, type Snapshot } from '../../shared/inventory.js';
import { normaliseSnapshot } from '../../shared/normalise.js';
import { LIMITS, TriggerSchema, type Trigger } from '../../shared/protocol.js';

/** Largest serialised item: the rest of a frame is left for the batch envelope. */
export const MAX_ITEM_BYTES = LIMITS.maxFrameBytes - 64 * 1024;

export function validSnapshot(trigger: Trigger, snapshot: Snapshot): Snapshot {
  if (!TriggerSchema.safeParse(trigger).success) throw new OutpostError('E_BAD_MESSAGE', `Unknown trigger ${JSON.stringify(trigger)}.`);
  // The parsed copy drops keys the schema does not know, exactly as the server's parse will, so
  // both sides digest the same value.
  const parsed = SnapshotSchema.safeParse(snapshot);
  if (!parsed.success) throw badBody('snapshot', parsed.error.issues[0]);
  return normaliseSnapshot(parsed.data);
}

export function badBody(what: string, issue: { path: PropertyKey[]; message: string } | undefined): OutpostError {
  const where = issue?.path.map(String).join('.') || '(root)';
  return new OutpostError('E_BAD_MESSAGE', `Bad ${what} at ${where}: ${issue?.message ?? 'invalid'}.`);
}

export function sizedJson(body: unknown): string {
  const json = JSON.stringify(body);
  checkSize(json);
  return json;
}

export function checkSize(json: string): void {
  const bytes = Buffer.byteLength(json);
  if (bytes > MAX_ITEM_BYTES) {
    throw new OutpostError('E_FRAME_TOO_LARGE', `The item is ${bytes} bytes; the limit is ${MAX_ITEM_BYTES}.`, { bytes });
  }
}
