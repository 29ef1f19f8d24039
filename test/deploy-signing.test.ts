// The server's deployment signing key and the agent's check of it, together: what the server signs
// verifies with the key it hands out, survives a restart, and any change to the command breaks it.
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { signedByServer } from '../agent/deploy/verify.js';
import { DeploySigner, SIGNING_KEY_FILE } from '../server/deploy/signing.js';
import type { DeployCommand } from '../shared/deploy.js';
import { tempDir } from './support/outpost.js';

const command: DeployCommand = {
  deploymentId: 'dep-00000001',
  deviceId: 'dev-1',
  package: {
    id: 'p',
    name: 'Tool',
    version: '1.0',
    installer: 'deb',
    file: { sha256: 'c'.repeat(64), size: 10 },
    managerPackage: null,
    args: [],
    detection: { name: 'tool' },
    timeoutSeconds: 600,
    retries: 0,
  },
  notBefore: null,
  notAfter: null,
  issuedAt: '2026-12-07T10:00:00.000Z',
};

describe('deployment command signatures', () => {
  it('verify with the handed-out key after a restart, and fail for any other command, key or signature', () => {
    const dir = tempDir();
    const signer = DeploySigner.open(dir);
    assert.equal(statSync(join(dir, SIGNING_KEY_FILE)).mode & 0o777, 0o600);
    const again = DeploySigner.open(dir);
    assert.equal(again.publicKey, signer.publicKey, 'the key is kept in the data directory');
    const signature = signer.sign(command);
    assert.ok(signedByServer(command, signature, again.publicKey));
    assert.ok(signedByServer({ ...command, package: { ...command.package } }, signature, signer.publicKey), 'key order does not matter');

    assert.equal(signedByServer({ ...command, deviceId: 'dev-2' }, signature, signer.publicKey), false);
    assert.equal(
      signedByServer(
        { ...command, package: { ...command.package, file: { sha256: 'd'.repeat(64), size: 10 } } },
        signature,
        signer.publicKey,
      ),
      false,
    );
    assert.equal(signedByServer(command, signature, DeploySigner.open(tempDir()).publicKey), false);
    assert.equal(signedByServer(command, 'not base64 at all!', signer.publicKey), false);
    assert.equal(signedByServer(command, signature, 'bm90IGEga2V5'), false);
  });
});
