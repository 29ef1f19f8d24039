// One token per signed-in user on a shared Windows machine: every session's user gets one, named for
// permissions with its domain, and loses it at logoff.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { silentLogger } from '../../shared/log.js';
import { Callers } from './callers.js';
import type { TokenFiles } from './token-files.js';

function recordingFiles() {
  const written = new Map<string, { token: string; principal: string | undefined }>();
  const calls: string[] = [];
  const files: TokenFiles = {
    secureStateDir: async () => undefined,
    writeAdmin: async () => undefined,
    writeUser: async (account, token, principal) => {
      calls.push(`write ${account} as ${principal ?? account}`);
      written.set(account.toLowerCase(), { token, principal });
      return true;
    },
    removeUser: async (name) => {
      calls.push(`remove ${name}`);
      written.delete(name);
    },
    listUsers: async () => [],
  };
  return { files, written, calls };
}

describe('Callers with several signed-in Windows users', () => {
  it('gives each user one token, granted to DOMAIN\\user, and takes it back at logoff', async () => {
    const { files, written, calls } = recordingFiles();
    let n = 0;
    const callers = new Callers({
      files,
      platform: 'win32',
      adminAccount: 'SYSTEM',
      log: silentLogger,
      newToken: () => `token-${++n}-${'x'.repeat(20)}`,
    });
    await callers.start([
      { account: 'alice', principal: 'CONTOSO\\alice' },
      { account: 'Alice', principal: 'CONTOSO\\Alice' }, // her second (disconnected) session
      { account: 'bob', principal: 'DESK-7\\bob' },
    ]);
    assert.deepEqual(calls, ['write alice as CONTOSO\\alice', 'write bob as DESK-7\\bob']);
    assert.deepEqual(callers.authenticate(written.get('alice')!.token), { account: 'alice', admin: false });
    assert.deepEqual(callers.authenticate(written.get('bob')!.token), { account: 'bob', admin: false });

    const bobsToken = written.get('bob')!.token;
    await callers.sync([{ account: 'alice', principal: 'CONTOSO\\alice' }]);
    assert.equal(calls.at(-1), 'remove bob');
    assert.equal(callers.authenticate(bobsToken), undefined, "a logged-off user's token stops working");
    assert.deepEqual(callers.accounts(), ['alice']);
  });

  it('plain account names (Linux, macOS) work as before', async () => {
    const { files, calls } = recordingFiles();
    const callers = new Callers({ files, platform: 'linux', adminAccount: 'root', log: silentLogger });
    await callers.start(['anna', 'ben']);
    assert.deepEqual(calls, ['write anna as anna', 'write ben as ben']);
  });
});
