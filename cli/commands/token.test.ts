import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { hashSecret } from '../../server/store/secrets.js';
import { SqliteStore } from '../../server/store/sqlite/sqlite-store.js';
import { hintsFor, machine } from '../../test/support/server/fixtures.js';
import { runCli } from '../../test/support/run-cli.js';

interface Listed {
  id: string;
  label: string | null;
  usesLeft: number | null;
  state: string;
  expiresAt: string | null;
}

describe('outpost token create | list | revoke', () => {
  const data = mkdtempSync(join(tmpdir(), 'outpost-token-cli-'));
  after(() => rmSync(data, { recursive: true, force: true }));

  it('creates a labelled token, lists it without the secret, and revokes it so it no longer enrols', async () => {
    const created = await runCli(['token', 'create', '--data', data, '--label', 'Floor 3 laptops', '--uses', '5', '--expires', '2d']);
    assert.equal(created.code, 0, created.stderr);
    const secret = created.stdout.trim();

    const listed = await runCli(['token', 'list', '--data', data, '--json']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.ok(!listed.stdout.includes(secret), 'the list never shows the token itself');
    const [token] = (JSON.parse(listed.stdout) as { items: Listed[] }).items;
    assert.deepEqual([token?.label, token?.usesLeft, token?.state], ['Floor 3 laptops', 5, 'active']);
    assert.deepEqual(
      Object.keys(token!).sort(),
      ['createdAt', 'expiresAt', 'id', 'label', 'state', 'used', 'usesLeft'],
      'the shape GET /api/tokens answers with',
    );
    const days = (Date.parse(token!.expiresAt!) - Date.now()) / 86_400_000;
    assert.ok(days > 1.9 && days <= 2, `expires in about 2 days, not ${days}`);

    const revoked = await runCli(['token', 'revoke', token!.id, '--data', data]);
    assert.equal(revoked.code, 0, revoked.stderr);
    const text = await runCli(['token', 'list', '--data', data]);
    assert.match(text.stdout, new RegExp(`^${token!.id}\\s+revoked\\s+0 used, 5 left.*Floor 3 laptops$`, 'm'));

    const store = SqliteStore.open(data);
    try {
      const enrol = await store.enrol({
        tokenHash: hashSecret(secret),
        hints: hintsFor(machine()),
        agentVersion: '0.1.0',
        secretHash: hashSecret('device-secret'),
        at: Date.now(),
      });
      assert.deepEqual(enrol, { ok: false }, 'a revoked token enrols no device');
    } finally {
      await store.close();
    }
  });

  it('says so, and fails, for an unknown id', async () => {
    const r = await runCli(['token', 'revoke', 'no-such-id', '--data', data]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /No enrolment token with id "no-such-id"/);
  });
});
