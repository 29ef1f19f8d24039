// The snapshot digest: sha256 over the canonical form of a normalised snapshot. The agent sends it
// with every delta; the server recomputes it after applying the delta to catch divergence.
import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';
import { canonicalJson } from './canonical.js';
import { normaliseSnapshot } from './normalise.js';
import type { Snapshot } from './inventory.js';

export function snapshotDigest(snapshot: Snapshot): string {
  return bytesToHex(sha256(utf8ToBytes(canonicalJson(normaliseSnapshot(snapshot)))));
}
