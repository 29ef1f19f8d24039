import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { trayStateDir } from './agent.js';

describe("the tray's agent state directory", () => {
  it('is --state, else OUTPOST_STATE_DIR, else where the service is installed', () => {
    assert.equal(trayStateDir(['electron', '.', '--state', '/x'], { OUTPOST_STATE_DIR: '/srv/o' }, 'linux'), '/x');
    assert.equal(trayStateDir(['--state=/y'], {}, 'linux'), '/y');
    assert.equal(trayStateDir([], { OUTPOST_STATE_DIR: '/srv/o' }, 'linux'), '/srv/o');
    assert.equal(trayStateDir([], {}, 'win32'), 'C:\\ProgramData\\Outpost');
    assert.equal(trayStateDir([], {}, 'darwin'), '/Library/Application Support/Outpost');
  });

  it('is the service directory even when a Linux user who is not root runs the tray', () => {
    assert.equal(trayStateDir([], {}, 'linux'), '/var/lib/outpost');
  });
});
