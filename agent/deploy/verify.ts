// Checks a deployment command's Ed25519 signature against the server key this agent pinned.
import { createPublicKey, verify } from 'node:crypto';
import { canonicalJson } from '../../shared/canonical.js';
import type { DeployCommand } from '../../shared/deploy.js';

/** True only for a signature by the pinned key over exactly this command. Never throws. */
export function signedByServer(command: DeployCommand, signature: string, publicKey: string): boolean {
  try {
    const key = createPublicKey({ key: Buffer.from(publicKey, 'base64'), format: 'der', type: 'spki' });
    if (key.asymmetricKeyType !== 'ed25519') return false;
    return verify(null, Buffer.from(canonicalJson(command)), key, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}
