import assert from 'node:assert/strict';
import { it } from 'node:test';
import { hashSecret } from './secrets.js';
import { describeStores, freshStore } from '../../test/support/stores.js';
import {
  createEnrolmentTokenInDataDir,
  issueEnrolmentTokenRecord,
  listEnrolmentTokensInDataDir,
  revokeEnrolmentTokenInDataDir,
  tokenState,
} from './tokens.js';

const HOUR = 3_600_000;

describeStores('enrolment tokens', (engine) => {
  it('lists, counts uses, revokes, and a revoked token enrols nobody', async () => {
    const under = await freshStore(engine);
    const store = under.store;
    try {
      const enrol = (token: string, installId: string, at: number) =>
        store.enrol({
          tokenHash: hashSecret(token),
          hints: { installId, hostname: installId, macs: [] },
          agentVersion: 't',
          secretHash: hashSecret(installId),
          at,
        });
      const { token, record } = await issueEnrolmentTokenRecord(
        store,
        { uses: 2, label: '  Berlin rollout ', expiresInMs: 10 * HOUR },
        1000,
      );
      assert.deepEqual(
        { ...record, id: '' },
        { id: '', label: 'Berlin rollout', createdAt: 1000, expiresAt: 1000 + 10 * HOUR, usesLeft: 2, used: 0, revoked: false },
      );
      assert.equal((await enrol(token, 'inst-1', 2000)).ok, true);
      const afterOne = await store.getEnrolmentToken(record.id);
      assert.deepEqual([afterOne?.used, afterOne?.usesLeft, tokenState(afterOne!, 2000)], [1, 1, 'active']);
      assert.equal(tokenState(afterOne!, 1000 + 10 * HOUR), 'expired');

      const revoked = await store.revokeEnrolmentToken(record.id);
      assert.deepEqual([revoked?.revoked, tokenState(revoked!, 2000)], [true, 'revoked']);
      assert.deepEqual(await enrol(token, 'inst-2', 3000), { ok: false });
      assert.equal((await store.getEnrolmentToken(record.id))?.used, 1, 'a refused enrolment spends nothing');
      assert.equal(await store.revokeEnrolmentToken('no-such-id'), null);

      const unlimited = await issueEnrolmentTokenRecord(store, {}, 5000);
      await enrol(unlimited.token, 'inst-3', 6000);
      await enrol(unlimited.token, 'inst-4', 6000);
      const [newest] = await store.listEnrolmentTokens(10);
      assert.deepEqual([newest?.id, newest?.used, newest?.usesLeft, tokenState(newest!, 6000)], [unlimited.record.id, 2, null, 'active']);
      await assert.rejects(issueEnrolmentTokenRecord(store, { label: 'x'.repeat(101) }), { code: 'E_CONFIG' });
      await assert.rejects(issueEnrolmentTokenRecord(store, { label: 'a\nb' }), { code: 'E_CONFIG' });
    } finally {
      await under.dispose();
    }
  });

  it('is listed and revoked by the CLI helpers beside an open store', async () => {
    const under = await freshStore(engine);
    const { store, where } = under;
    try {
      await createEnrolmentTokenInDataDir(where, { uses: 1, label: 'cli' });
      const [listed] = await listEnrolmentTokensInDataDir(where);
      assert.equal(listed?.label, 'cli');
      assert.equal((await revokeEnrolmentTokenInDataDir(where, listed.id))?.revoked, true);
      assert.equal((await store.getEnrolmentToken(listed.id))?.revoked, true);
    } finally {
      await under.dispose();
    }
  });
});
