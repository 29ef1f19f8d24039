import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runCli as outpost, startTestAgent, type TestAgent } from '../../test/support/agent-harness.js';

describe('outpost worklog', () => {
  let t: TestAgent;
  before(async () => {
    t = await startTestAgent();
    await t.call('alice', 'ticket.create', { subject: 'VPN', description: 'drops' });
    await t.server.waitFor(() => t.server.deskTickets().length === 1, 'ticket 1000');
  });
  after(() => t.close());

  it('records a worklog with its minutes, and lists a rejected one with the reason', async () => {
    const w = ['--start', '2025-03-01T09:00:00Z', '--end', '2025-03-01T09:45:00Z', '--technician', 'Sam', '--state', t.stateDir];
    const ok = await outpost(['worklog', 'add', '--ticket', '#1000', '--description', 'Reinstalled the client', ...w]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^Worklog queued: 45 min on ticket 1000 by Sam \(ref [\w-]+\)\.\n$/);
    const bad = await outpost(['worklog', 'add', '--ticket', '4242', ...w, '--json']);
    const { ref } = JSON.parse(bad.stdout) as { ref: string };

    for (let i = 0; i < 250; i++) {
      const states = (await t.call('admin', 'worklog.list', {})).items.map((x) => x.state);
      if (!states.includes('queued')) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const list = (await outpost(['worklog', 'list', '--state', t.stateDir])).stdout;
    assert.match(list, /^recorded {2}ticket 1000 +45 min {2}2025-03-01T09:00:00Z {2}Sam/m);
    assert.match(list, new RegExp(`^rejected  ticket 4242 +45 min .*ref ${ref}\\n {10}E_UNKNOWN_TICKET: There is no ticket 4242\\.$`, 'm'));

    const retried = await outpost(['worklog', 'retry', ref, '--ticket', '1000', '--state', t.stateDir]);
    assert.equal(retried.code, 0, retried.stderr);
    assert.match(retried.stdout, /^Worklog sent again for ticket 1000/);
  });

  it('names the flag that is wrong and exits 2', async () => {
    const before = t.counts();
    const [r, backwards] = await Promise.all([
      outpost([
        'worklog',
        'add',
        '--ticket',
        '1000',
        '--start',
        'yesterday 9am',
        '--end',
        '2025-03-01T09:45:00Z',
        '--technician',
        'Sam',
        '--state',
        t.stateDir,
      ]),
      outpost([
        'worklog',
        'add',
        '--ticket',
        '1000',
        '--start',
        '2025-03-01T10:00:00Z',
        '--end',
        '2025-03-01T09:00:00Z',
        '--technician',
        'Sam',
        '--state',
        t.stateDir,
      ]),
    ]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^outpost: --start: .*ISO date-time/);
    assert.deepEqual([backwards.code, backwards.stderr], [2, 'outpost: --end: must be after start\n']);
    assert.deepEqual(t.counts(), before);
  });
});
