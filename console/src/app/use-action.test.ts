import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../api/errors.js';
import { runAction } from './use-action.js';

function recorder() {
  const log: string[] = [];
  return {
    log,
    setBusy: (busy: boolean) => log.push(`busy:${busy}`),
    setError: (error: string | null) => log.push(`error:${error}`),
  };
}

describe('runAction', () => {
  it('is busy while the action runs, clears the old error first and answers true', async () => {
    const r = recorder();
    const ok = await runAction(
      async () => {
        r.log.push('fn');
      },
      r.setBusy,
      r.setError,
    );
    assert.equal(ok, true);
    assert.deepEqual(r.log, ['busy:true', 'error:null', 'fn', 'busy:false']);
  });

  it('keeps the failure in the words of errors.ts and answers false', async () => {
    const r = recorder();
    const ok = await runAction(
      async () => {
        throw new ApiError(401, 'E_BAD_CREDENTIALS', 'bad credentials');
      },
      r.setBusy,
      r.setError,
    );
    assert.equal(ok, false);
    assert.deepEqual(r.log, ['busy:true', 'error:null', 'error:Wrong username or password.', 'busy:false']);
  });

  it('catches plain errors too', async () => {
    const r = recorder();
    const ok = await runAction(
      async () => {
        throw new Error('boom');
      },
      r.setBusy,
      r.setError,
    );
    assert.equal(ok, false);
    assert.ok(r.log.includes('error:boom'));
    assert.equal(r.log.at(-1), 'busy:false');
  });
});
