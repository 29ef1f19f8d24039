import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultStateDir, localApiPath, serviceStateDir } from './paths.js';

describe('state directories', () => {
  it('are where each platform installs the service', () => {
    assert.equal(serviceStateDir('win32', { ProgramData: 'D:\\PD' }), 'D:\\PD\\Outpost');
    assert.equal(serviceStateDir('win32', {}), 'C:\\ProgramData\\Outpost');
    assert.equal(serviceStateDir('darwin', {}), '/Library/Application Support/Outpost');
    assert.equal(serviceStateDir('linux', {}), '/var/lib/outpost');
  });

  it('follow OUTPOST_STATE_DIR for the CLI', () => {
    assert.equal(defaultStateDir('linux', { OUTPOST_STATE_DIR: '/srv/o' }), '/srv/o');
    assert.equal(defaultStateDir('darwin', {}), '/Library/Application Support/Outpost');
  });

  it('name a per-directory pipe on Windows and a socket beside the state elsewhere', () => {
    assert.match(localApiPath('C:\\ProgramData\\Outpost', 'win32'), /^\\\\\.\\pipe\\outpost-agent-[0-9a-f]{16}$/);
    assert.equal(localApiPath('C:\\ProgramData\\Outpost', 'win32'), localApiPath('c:\\programdata\\outpost', 'win32'));
    assert.equal(localApiPath('/var/lib/outpost', 'linux'), '/var/lib/outpost/agent.sock');
  });
});
