import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { accountDirName, adminTokenPath, userTokenPath } from './token-paths.js';

describe('local API token paths', () => {
  it('puts each account in its own folder under the state directory, per platform', () => {
    assert.equal(adminTokenPath('/var/lib/outpost', 'linux'), '/var/lib/outpost/admin-token');
    assert.equal(userTokenPath('/var/lib/outpost', 'alice', 'linux'), '/var/lib/outpost/users/alice/token');
    assert.equal(userTokenPath('C:\\ProgramData\\Outpost', 'Alice', 'win32'), 'C:\\ProgramData\\Outpost\\users\\alice\\token');
    assert.equal(adminTokenPath('C:\\ProgramData\\Outpost', 'win32'), 'C:\\ProgramData\\Outpost\\admin-token');
  });

  it('accepts real account names and refuses any that could leave the folder', () => {
    for (const ok of ['alice', 'j.doe', 'svc_backup', 'José', 'first last', 'user@corp.example', 'host$'])
      assert.equal(accountDirName(ok, 'linux'), ok);
    for (const bad of ['', '.', '..', '../etc', 'a/b', 'a\\b', 'c:', '-rf', '.hidden', 'tab\there', 'nul\0', ' padded', 'x'.repeat(129)]) {
      assert.equal(accountDirName(bad, 'linux'), undefined, JSON.stringify(bad));
    }
    assert.equal(userTokenPath('/s', '../../root', 'linux'), undefined);
  });
});
