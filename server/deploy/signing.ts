// The server's deployment signing key: Ed25519, generated once into <dataDir>/deploy-signing-key.pem
// (owner-only) and kept. Agents pin its public key at enrolment (welcome hands it to agents enrolled
// before it existed) and run only commands it signed: someone who can write to an agent's socket, or
// a server process without the key, cannot make an agent install anything.
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalJson } from '../../shared/canonical.js';
import type { DeployCommand } from '../../shared/deploy.js';

export const SIGNING_KEY_FILE = 'deploy-signing-key.pem';

export class DeploySigner {
  /** The public key as base64 DER (SPKI), as agents receive and pin it. */
  readonly publicKey: string;

  constructor(private readonly key: KeyObject) {
    this.publicKey = createPublicKey(key).export({ type: 'spki', format: 'der' }).toString('base64');
  }

  /** Reads the key from the data directory, creating it the first time. */
  static open(dataDir: string): DeploySigner {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const file = join(dataDir, SIGNING_KEY_FILE);
    try {
      return new DeploySigner(createPrivateKey(readFileSync(file, 'utf8')));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const { privateKey } = generateKeyPairSync('ed25519');
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    try {
      // 'wx': a second process starting at the same moment keeps the first one's key.
      writeFileSync(file, pem, { mode: 0o600, flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    return new DeploySigner(createPrivateKey(readFileSync(file, 'utf8')));
  }

  /** Base64 Ed25519 signature over the command's canonical JSON. */
  sign(command: DeployCommand): string {
    return sign(null, Buffer.from(canonicalJson(command)), this.key).toString('base64');
  }
}
