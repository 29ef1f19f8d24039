// A full snapshot's body (or a part of one) crosses the event loop packed. The frame worker reads it
// (frame-worker.ts) and the store's batch job plans with it (batch-job.ts); the event loop in between
// needs only the items' seqs and kinds. Sent as objects, the body would be cloned twice through the
// loop (taken from the frame worker, sent on to the store worker: ~2 ms of the loop's CPU for a
// ~650-package snapshot); packed, it is bytes the loop passes on without looking into them, and the
// thread that runs the job unpacks it once. Packed with V8's serializer, the structured clone's own
// format: the same values come out as went in, and packing costs the frame worker what posting the
// objects cost it. The bytes come from the server's own frame worker, never from a peer.
import { deserialize, serialize } from 'node:v8';
import type { Item } from '../../shared/protocol.js';

type Bulky = Extract<Item, { kind: 'inventory.full' | 'inventory.part' }>;
type Packed<I> = I extends Bulky ? Omit<I, 'body'> & { body: PackedBody } : never;

/** A body as V8's serializer wrote it. */
export interface PackedBody {
  packed: Uint8Array;
}

/** An item as the event loop holds it: as read, or with its bulky body packed. */
export type CarriedItem = Item | Packed<Item>;

const isBulky = (item: Item): item is Bulky => item.kind === 'inventory.full' || item.kind === 'inventory.part';

export function isPacked(item: CarriedItem): item is Packed<Item> {
  return (
    (item.kind === 'inventory.full' || item.kind === 'inventory.part') && (item.body as Partial<PackedBody>).packed instanceof Uint8Array
  );
}

/** The items with their bulky bodies packed, and the packed bytes' buffers (to transfer, not copy). */
export function packItems(items: readonly Item[]): { items: CarriedItem[]; transfer: ArrayBuffer[] } {
  const transfer: ArrayBuffer[] = [];
  const out = items.map((item): CarriedItem => {
    if (!isBulky(item)) return item;
    const packed = serialize(item.body);
    // A buffer of its own can be handed over as it is; a slice of a shared one is copied.
    const whole = packed.buffer;
    const own = packed.byteOffset === 0 && packed.byteLength === whole.byteLength;
    if (own) transfer.push(whole);
    return { ...item, body: { packed: own ? packed : new Uint8Array(packed) } };
  });
  return { items: out, transfer };
}

export function unpackItem(item: CarriedItem): Item {
  if (!isPacked(item)) return item;
  const { packed } = item.body;
  const body = deserialize(Buffer.from(packed.buffer, packed.byteOffset, packed.byteLength)) as Item['body'];
  return { ...item, body } as Item;
}

/** Items the loop itself reads (ticket and deployment items): bulky ones are never among them. */
export function unpackedOnly(items: readonly CarriedItem[]): Item[] {
  return items.filter((item): item is Item => !isPacked(item));
}
