// Who may call the local API: the token files the agent writes, and callers with and without one,
// down to a real unprivileged process.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, lstatSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { startTestAgent, type TestAgent } from '../../test/support/agent-harness.js';
import { deadline } from '../../test/support/deadline.js';

const exec = promisify(execFile);
const CLI = new URL('../../cli/main.ts', import.meta.url).pathname;
const mode = (path: string) => statSync(path).mode & 0o777;

/** Runs the real CLI as the unprivileged `nobody` account. */
async function cliAsNobody(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const argv = ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, '--import', 'tsx', CLI, ...args];
  try {
    const { stdout, stderr } = await exec('setpriv', argv, {
      env: { ...process.env, HOME: '/tmp', OUTPOST_STATE_DIR: '' },
      timeout: deadline(20_000),
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('local API access', () => {
  let t: TestAgent;
  afterEach(() => t.close());

  it('writes each logged-on user a token only they can read, and the admin token only root can read', async () => {
    t = await startTestAgent({ users: ['alice', 'bob', 'alice'] });
    const { stateDir } = t;
    assert.equal(mode(stateDir), 0o711, 'the state folder can be passed through, not listed');
    assert.equal(mode(join(stateDir, 'outbox.db')), 0o600);
    assert.equal(mode(join(stateDir, 'credentials.json')), 0o600);
    assert.equal(mode(join(stateDir, 'agent.sock')), 0o666);
    const admin = statSync(join(stateDir, 'admin-token'));
    assert.deepEqual([admin.mode & 0o777, admin.uid], [0o600, 0]);
    for (const [name, uid] of [
      ['alice', 1001],
      ['bob', 1002],
    ] as const) {
      const dir = statSync(join(stateDir, 'users', name));
      const file = statSync(join(stateDir, 'users', name, 'token'));
      assert.deepEqual([dir.mode & 0o777, dir.uid, dir.gid], [0o700, uid, uid], `${name}'s folder`);
      assert.deepEqual([file.mode & 0o777, file.uid, file.gid], [0o600, uid, uid], `${name}'s token`);
    }
    const tokens = ['admin', 'alice', 'bob'].map((who) => t.token(who));
    assert.equal(new Set(tokens).size, 3);
    assert.ok(
      tokens.every((x) => /^[A-Za-z0-9_-]{43}$/.test(x)),
      '256 random bits each',
    );
    assert.ok(!t.log.text().includes(tokens[1]!), 'tokens are never logged');
  });

  it('takes the token away at logoff, and makes all new ones when the agent restarts', async () => {
    t = await startTestAgent();
    const bobs = t.token('bob');
    const alices = t.token('alice');
    await t.logOn('alice');
    assert.equal(existsSync(join(t.stateDir, 'users', 'bob')), false, "bob's folder is gone");
    await assert.rejects(t.call({ auth: bobs }, 'ticket.list', {}), { code: 'E_NOT_LOGGED_ON' });
    assert.equal((await t.call({ auth: alices }, 'ticket.list', {})).items.length, 0, 'alice stays logged on');

    const admin = t.token('admin');
    await t.restart();
    await assert.rejects(t.call({ auth: admin }, 'status', {}), { code: 'E_NOT_LOGGED_ON' });
    await assert.rejects(t.call({ auth: alices }, 'status', {}), { code: 'E_NOT_LOGGED_ON' });
    assert.notEqual(t.token('alice'), alices);
    assert.equal((await t.call('alice', 'status', {})).hostname, 'desk-pc');
  });

  it('gives no token to an account the OS does not know or whose name cannot be a folder', async () => {
    t = await startTestAgent({ users: ['ghost', '../etc', 'alice'] });
    assert.deepEqual((await import('node:fs')).readdirSync(join(t.stateDir, 'users')), ['alice']);
    assert.equal(existsSync(join(t.stateDir, 'etc')), false);
  });

  it('never follows a link a user planted in their own token folder', async () => {
    t = await startTestAgent();
    const victim = join(t.stateDir, 'victim');
    writeFileSync(victim, 'precious\n');
    const planted = join(t.stateDir, 'users', 'alice', 'token');
    (await import('node:fs')).unlinkSync(planted);
    symlinkSync(victim, planted);
    await t.restart();
    assert.equal(readFileSync(victim, 'utf8'), 'precious\n');
    assert.equal(lstatSync(planted).isSymbolicLink(), false);
    assert.equal((await t.call('alice', 'ticket.list', {})).items.length, 0);
  });

  it('refuses a real unprivileged process that is not logged on, and serves it once it is', async () => {
    t = await startTestAgent();
    const before = t.counts();
    const refused = await cliAsNobody(['ticket', 'create', '--subject', 'Hi', '--description', 'from nobody', '--state', t.stateDir]);
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(refused.stderr, /^outpost: You are not a logged-on user of this machine/);
    assert.deepEqual(t.counts(), before, 'nothing was queued');

    await t.logOn('alice', 'nobody');
    const created = await cliAsNobody([
      'ticket',
      'create',
      '--subject',
      'Hi',
      '--description',
      'from nobody',
      '--state',
      t.stateDir,
      '--json',
    ]);
    assert.equal(created.code, 0, created.stderr);
    const { ref } = JSON.parse(created.stdout) as { ref: string };
    assert.equal((await t.call('admin', 'ticket.get', { ref })).subject, 'Hi');
    await assert.rejects(t.call('alice', 'ticket.get', { ref }), { code: 'E_NOT_FOUND' }, "alice cannot see nobody's ticket");
    const listed = await cliAsNobody(['ticket', 'list', '--state', t.stateDir, '--json']);
    assert.deepEqual(
      (JSON.parse(listed.stdout) as { items: { ref: string }[] }).items.map((x) => x.ref),
      [ref],
    );
  });
});
