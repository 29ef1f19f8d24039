import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { FakeHost } from '../../test/fakes/host.js';
import { macosUsers, parseScutilConsoleUsers } from './users-macos.js';

const SAMPLE = readFileSync(new URL('../../test/fixtures/users/macos-scutil-show-consoleuser.two-sessions.txt', import.meta.url), 'utf8');

describe('macOS signed-in users', () => {
  it('lists every GUI session of a published scutil sample (fast user switching), not only the console one', () => {
    assert.deepEqual(parseScutilConsoleUsers(SAMPLE), [
      { user: 'jandoe', tty: 'console' },
      { user: 'jrdoe', tty: 'gui' },
    ]);
  });

  it('the login window and nobody signed in list no one', () => {
    const loginwindow =
      '<dictionary> {\n  Name : loginwindow\n  SessionInfo : <array> {\n    0 : <dictionary> {\n      kCGSSessionUserNameKey : loginwindow\n    }\n  }\n}\n';
    assert.deepEqual(parseScutilConsoleUsers(loginwindow), []);
    assert.deepEqual(parseScutilConsoleUsers('  No such key\n'), []);
  });

  it('adds ssh sessions from who, without counting the console twice', async () => {
    const host = new FakeHost('darwin').command('/bin/sh', SAMPLE);
    const users = await macosUsers(host, async () => [
      { user: 'jandoe', tty: 'console' },
      { user: 'admin', tty: 'ttys001' },
    ]);
    assert.deepEqual(users, [
      { user: 'jandoe', tty: 'console' },
      { user: 'jrdoe', tty: 'gui' },
      { user: 'admin', tty: 'ttys001' },
    ]);
  });
});
