// Device secrets, enrolment tokens and the admin token are high-entropy random strings, so a plain
// sha256 is a sufficient one-way form to store (no salt or slow hash needed: nothing to brute-force).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A new random credential: 32 bytes, base64url (43 characters). */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

// Compared against when there is no stored hash, so a miss costs the same as a wrong secret.
const NO_HASH = Buffer.alloc(32);

/** Constant-time comparison of two stored hashes; false when either is missing or malformed. */
export function sameHash(stored: Uint8Array | null | undefined, candidate: Uint8Array): boolean {
  const a = stored && stored.length === 32 ? stored : NO_HASH;
  const b = candidate.length === 32 ? candidate : NO_HASH;
  const equal = timingSafeEqual(a, b);
  return equal && a !== NO_HASH && b !== NO_HASH;
}
